package costs

import (
	"fmt"
	"io"
	"strings"

	"github.com/secure-webapp/secure-webapp/controls"
)

// PricesAsOf and PriceSource say where the prices below come from. Update
// both when you update a price.
const (
	PricesAsOf  = "June 2025"
	PriceSource = "the AWS pricing page of each service, us-east-1, on-demand, USD, without free tier or tax"
	hours       = 730 // hours in a month, as AWS prices them
)

// Hourly prices of the instance classes the profiles use by default; others
// are shown as "see pricing".
var (
	ec2Hourly = map[string]float64{"t4g.micro": 0.0084, "t4g.small": 0.0168, "t4g.medium": 0.0336, "t3.small": 0.0208, "m7g.large": 0.0816, "m7i.large": 0.1008}
	// Single-AZ PostgreSQL; Multi-AZ costs twice as much.
	rdsHourly = map[string]float64{"db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065, "db.m7g.large": 0.168, "db.r7g.large": 0.239}
)

const (
	natHourly         = 0.045
	publicIPv4Hourly  = 0.005
	albHourly         = 0.0225
	lcuHourly         = 0.008 // one LCU: a small app's baseline
	endpointAZHourly  = 0.01
	ebsGp3GBMonth     = 0.08
	rdsGp3GBMonth     = 0.115 // single-AZ; Multi-AZ twice
	kmsKeyMonth       = 1.00
	secretMonth       = 0.40
	alarmMonth        = 0.10
	webACLMonth       = 5.00
	wafRuleMonth      = 1.00
	cloudWatchGBIn    = 0.50
	cloudTrailData100 = 0.10
)

// line is one row of the table.
type line struct {
	item, count, unit string
	monthly           float64 // 0 with usage set: billed by use
	usage             string
}

// Write renders the cost document for the templates of each profile, in the
// order given.
//
// region are the baseline stacks of both accounts in one governed region
// beyond the home region: what each region added to governedRegions costs.
func Write(w io.Writer, profiles []string, templates map[string][]*controls.Template, region []*controls.Template) error {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("<!-- Generated from the synthesized templates of each profile. Do not edit: run `make docs`. -->\n\n")
	p("# What a deployment costs\n\n")
	p("Monthly cost of each profile with its default settings in **us-east-1**, counted from the synthesized templates. ")
	p("Prices: %s, as of **%s**. The build is hermetic and never reads the AWS price list, so they are not refreshed: check them, and your own traffic, in the [AWS Pricing Calculator](https://calculator.aws/) before you rely on a total. ", PriceSource, PricesAsOf)
	p("Fixed costs accrue from the moment the stacks exist, traffic or not; usage costs grow with traffic and are listed with their unit prices.\n\n")
	for _, name := range profiles {
		lines := items(templates[name])
		p("## %s\n\n", name)
		p("| Item | Count (from the templates) | Unit price | Monthly (USD) |\n|---|---|---|---|\n")
		total := 0.0
		for _, l := range lines {
			if l.usage != "" {
				continue
			}
			total += l.monthly
			p("| %s | %s | %s | %.2f |\n", l.item, l.count, l.unit, l.monthly)
		}
		p("| **Fixed total** | | | **%.2f** |\n\n", total)
		p("Billed by use (not in the total):\n\n")
		for _, l := range lines {
			if l.usage != "" {
				p("- %s: %s\n", l.item, l.usage)
			}
		}
		p("\n")
	}
	p("## Each governed region beyond the home region\n\n")
	p("Every region added to `governedRegions` adds a baseline stack to each account (GuardDuty, Security Hub, the AWS Config recorder and its bucket, Access Analyzer, EBS encryption by default); the cost below is per region, both accounts, whatever the profile:\n\n")
	p("| Item | Count (from the templates) | Unit price | Monthly (USD) |\n|---|---|---|---|\n")
	total := 0.0
	for _, l := range items(region) {
		if l.usage == "" {
			total += l.monthly
			p("| %s | %s | %s | %.2f |\n", l.item, l.count, l.unit, l.monthly)
		}
	}
	p("| **Fixed total per region** | | | **%.2f** |\n\n", total)
	p("Billed by use as above: GuardDuty, Security Hub checks and AWS Config items in each region, which grow with what runs there; in a region where nothing runs, little.\n")
	return nil
}

func items(ts []*controls.Template) []line {
	count := func(typ string) int {
		n := 0
		for _, t := range ts {
			n += len(t.Resources(typ))
		}
		return n
	}
	all := func(typ string) []controls.Resource {
		var out []controls.Resource
		for _, t := range ts {
			out = append(out, t.Resources(typ)...)
		}
		return out
	}
	var ls []line
	add := func(item string, n int, unit string, each float64) {
		if n > 0 {
			ls = append(ls, line{item: item, count: fmt.Sprint(n), unit: unit, monthly: float64(n) * each})
		}
	}
	add("NAT gateway", count("AWS::EC2::NatGateway"), fmt.Sprintf("%.3f/h", natHourly), natHourly*hours)
	add("Public IPv4 address of a NAT gateway", count("AWS::EC2::EIP"), fmt.Sprintf("%.3f/h", publicIPv4Hourly), publicIPv4Hourly*hours)
	for _, lb := range all("AWS::ElasticLoadBalancingV2::LoadBalancer") {
		add("Application Load Balancer (1 LCU)", 1, fmt.Sprintf("%.4f/h + %.3f/LCU-h", albHourly, lcuHourly), (albHourly+lcuHourly)*hours)
		subnets, _ := lb.Get("Subnets")
		add("Public IPv4 address of the load balancer (one per zone)", len(subnets.([]any)), fmt.Sprintf("%.3f/h", publicIPv4Hourly), publicIPv4Hourly*hours)
	}
	endpointAZs := 0
	for _, e := range all("AWS::EC2::VPCEndpoint") {
		// GuardDuty's runtime monitoring endpoint bills nothing ("There is
		// no additional cost for the usage of the VPC endpoint", GuardDuty
		// user guide, "Prerequisite – Creating an Amazon VPC endpoint").
		if e.String("VpcEndpointType") == "Interface" && !strings.Contains(fmt.Sprint(e.Properties()["ServiceName"]), ".guardduty-data") {
			subnets, _ := e.Get("SubnetIds")
			endpointAZs += len(subnets.([]any))
		}
	}
	add("Interface VPC endpoint, per zone", endpointAZs, fmt.Sprintf("%.2f/h", endpointAZHourly), endpointAZHourly*hours)

	for _, g := range all("AWS::AutoScaling::AutoScalingGroup") {
		n := int(number(g.Properties()["MinSize"]))
		for _, lt := range all("AWS::EC2::LaunchTemplate") {
			typ := lt.String("LaunchTemplateData", "InstanceType")
			if h, ok := ec2Hourly[typ]; ok {
				add("EC2 "+typ+" (appMinCapacity instances)", n, fmt.Sprintf("%.4f/h", h), h*hours)
			} else {
				ls = append(ls, line{item: "EC2 " + typ, usage: "see https://aws.amazon.com/ec2/pricing/on-demand/"})
			}
			gb := 0.0
			bdms, _ := lt.Get("LaunchTemplateData", "BlockDeviceMappings")
			for _, b := range bdms.([]any) {
				gb += number(b.(map[string]any)["Ebs"].(map[string]any)["VolumeSize"])
			}
			add(fmt.Sprintf("EBS gp3, %.0f GiB per instance", gb), n, fmt.Sprintf("%.2f/GiB-month", ebsGp3GBMonth), gb*ebsGp3GBMonth)
		}
	}
	for _, db := range all("AWS::RDS::DBInstance") {
		class := db.String("DBInstanceClass")
		mult, az := 1.0, "Single-AZ"
		if db.Bool("MultiAZ") {
			mult, az = 2, "Multi-AZ"
		}
		if h, ok := rdsHourly[class]; ok {
			add(fmt.Sprintf("RDS PostgreSQL %s, %s", class, az), 1, fmt.Sprintf("%.3f/h x %.0f", h, mult), h*mult*hours)
		} else {
			ls = append(ls, line{item: "RDS PostgreSQL " + class, usage: "see https://aws.amazon.com/rds/postgresql/pricing/"})
		}
		gb := number(db.Properties()["AllocatedStorage"])
		add(fmt.Sprintf("RDS gp3 storage, %.0f GiB, %s", gb, az), 1, fmt.Sprintf("%.3f/GiB-month x %.0f", rdsGp3GBMonth, mult), gb*rdsGp3GBMonth*mult)
	}
	add("KMS customer-managed key (both accounts)", count("AWS::KMS::Key"), fmt.Sprintf("%.2f/month", kmsKeyMonth), kmsKeyMonth)
	add("Secrets Manager secret", count("AWS::SecretsManager::Secret"), fmt.Sprintf("%.2f/month", secretMonth), secretMonth)
	add("CloudWatch alarm", count("AWS::CloudWatch::Alarm"), fmt.Sprintf("%.2f/month", alarmMonth), alarmMonth)
	for _, acl := range all("AWS::WAFv2::WebACL") {
		rules, _ := acl.Get("Rules")
		add("WAF web ACL", 1, fmt.Sprintf("%.2f/month", webACLMonth), webACLMonth)
		add("WAF rule (managed groups count one each)", len(rules.([]any)), fmt.Sprintf("%.2f/month", wafRuleMonth), wafRuleMonth)
	}

	if nats := count("AWS::EC2::NatGateway"); nats > 0 {
		ls = append(ls, line{item: "NAT gateway data processing", usage: "0.045 per GB (internet traffic, and AWS API calls when interfaceEndpoints is false)"})
	} else {
		// Without internetEgress: what the NAT gateways (one per zone in
		// production, one in the sandbox, by default) would cost with it.
		ls = append(ls, line{item: "No NAT gateway (internetEgress is false)", usage: fmt.Sprintf("saves %.2f a month per NAT gateway and its public IPv4 address, plus 0.045 per GB processed; internetEgress true adds natGateways of them", (natHourly+publicIPv4Hourly)*hours)})
	}
	ls = append(ls,
		line{item: "Load balancer capacity beyond 1 LCU", usage: fmt.Sprintf("%.3f per LCU-hour", lcuHourly)},
		line{item: "WAF requests", usage: "0.60 per million"},
		line{item: "CloudWatch Logs (trail copy, flow logs, database, WAF)", usage: fmt.Sprintf("%.2f per GB ingested, 0.03 per GB-month stored", cloudWatchGBIn)},
		line{item: "CloudTrail S3 data events (trailS3DataEvents)", usage: fmt.Sprintf("%.2f per 100,000 events; management events: first copy free", cloudTrailData100)},
		line{item: "GuardDuty", usage: "by events and GB analysed, per protection feature; 30-day free trial per account"},
		line{item: "Security Hub", usage: "0.0010 per security check (first 100,000 a month), 0.00003 per finding ingested beyond 10,000"},
		line{item: "AWS Config", usage: "0.003 per configuration item recorded, 0.001 per rule evaluation"},
		line{item: "S3 storage (logs, Config history, application data)", usage: "0.023 per GB-month (Glacier Instant Retrieval 0.004 for archived CloudTrail logs)"},
		line{item: "RDS backups beyond the database's size, Performance Insights beyond 7 days", usage: "0.095 per GB-month; not used by default"},
	)
	return ls
}

func number(v any) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case string:
		var f float64
		fmt.Sscan(strings.TrimSpace(v), &f)
		return f
	}
	return 0
}
