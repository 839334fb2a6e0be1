package architecture

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/secure-webapp/secure-webapp/controls"
)

// Write renders the architecture document of the templates of one
// synthesis (every stack).
func Write(w io.Writer, templates []*controls.Template) error {
	var loggings, workloads []*controls.Template
	for _, t := range templates {
		f, ok := t.Facts()
		switch {
		case !ok:
			return fmt.Errorf("%s: not a template of this app", t.Name)
		case f.Region != f.HomeRegion: // the other regions' baselines: WriteBaselines
		case f.Role == controls.RoleLogArchive:
			loggings = append(loggings, t)
		case f.Role == controls.RoleWorkload:
			workloads = append(workloads, t)
		}
	}
	if len(loggings) == 0 || len(workloads) == 0 {
		return fmt.Errorf("need the logging and the workload account's templates")
	}
	// Each account as deployed in the home region: its stacks in one view.
	logArchive, err := controls.AccountView(loggings)
	if err != nil {
		return err
	}
	lf, _ := logArchive.Facts()
	// The workload account as deployed: its stacks in one view, each
	// cross-stack reference resolved, so an arrow may join two stacks.
	workload, err := controls.AccountView(workloads)
	if err != nil {
		return err
	}
	wf, _ := workload.Facts()
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("<!-- Generated from the synthesized templates of the default configuration. Do not edit: run `make docs`. -->\n\n")
	p("# Architecture\n\n")
	p("The default (sandbox) configuration: workload account `%s`, logging account `%s`, region `%s`, %d availability zones. ", wf.WorkloadAccount, lf.LoggingAccount, wf.Region, wf.AZCount)
	p("Every box and arrow below is read from the synthesized CloudFormation templates: the subnets and what runs in them, the security groups and each rule that admits one group's traffic into another, and where each log goes. ")
	p("[`CONTROLS.md`](CONTROLS.md) lists the controls that keep it so.\n\n")
	p("```mermaid\nflowchart TB\n")
	p("    Internet((Internet))\n")
	writeLogging(p, logArchive, lf)
	writeWorkload(p, workload, wf)
	p("```\n\n")
	p("Solid arrows are traffic a security group admits (protocol and port); dotted arrows are log and event flows.\n\n")
	writeResponsibility(p, append([]*controls.Template{logArchive}, workloads...))
	return nil
}

var reNonID = regexp.MustCompile(`[^A-Za-z0-9]`)

func id(prefix, s string) string { return prefix + reNonID.ReplaceAllString(s, "") }

// label shortens a construct path to what a reader recognizes:
// "Workload/Database/SecurityGroup/Resource" -> "Database/SecurityGroup".
func label(path string) string {
	path = strings.TrimSuffix(path, "/Resource")
	if i := strings.Index(path, "/"); i >= 0 {
		path = path[i+1:]
	}
	return path
}

func writeLogging(p func(string, ...any), t *controls.Template, f controls.StackFacts) {
	p("    subgraph Logging[\"Logging account %s: the log archive and the account's baseline\"]\n", f.LoggingAccount)
	for _, b := range t.Resources("AWS::S3::Bucket") {
		name := b.String("BucketName") // a fixed name, or the construct's
		if name == "" {
			name = label(b.Path())
		}
		p("        %s[(\"%s<br/>%s\")]\n", id("Bucket", name), name, encryption(b))
	}
	keys := t.Resources("AWS::KMS::Key")
	seen := map[string]int{}
	for _, k := range keys {
		seen[label(k.Path())]++
	}
	for _, k := range keys {
		// The account's stacks may each have a key of the same construct
		// (their functions' log keys): those are named with their stack.
		name := label(k.Path())
		if seen[name] > 1 {
			name = strings.TrimSuffix(k.Path(), "/Resource")
		}
		p("        %s{{\"KMS key %s\"}}\n", id("Key", name), name)
	}
	p("    end\n")
}

func encryption(b controls.Resource) string {
	v, _ := b.Get("BucketEncryption", "ServerSideEncryptionConfiguration")
	if strings.Contains(fmt.Sprint(v), "aws:kms") {
		return "SSE-KMS"
	}
	return "SSE-S3"
}

// tier names the subnet tier of a subnet, from CDK's tag.
func tier(s controls.Resource) string {
	tags, _ := s.Get("Tags")
	for _, tag := range tags.([]any) {
		m := tag.(map[string]any)
		if m["Key"] == "aws-cdk:subnet-name" {
			return fmt.Sprint(m["Value"])
		}
	}
	return "?"
}

func writeWorkload(p func(string, ...any), t *controls.Template, f controls.StackFacts) {
	p("    subgraph Workload[\"Workload account %s\"]\n", f.WorkloadAccount)
	vpc := t.Resources("AWS::EC2::VPC")
	cidr := ""
	if len(vpc) > 0 {
		cidr = vpc[0].String("CidrBlock")
	}
	p("        subgraph VPC[\"VPC %s\"]\n", cidr)

	// Subnets by tier, with their zones, and what each tier holds: every
	// resource that names a subnet of the tier.
	zones := map[string][]string{}
	tierOf := map[string]string{} // subnet logical ID -> tier
	var tiers []string
	for _, s := range t.Resources("AWS::EC2::Subnet") {
		tr := tier(s)
		if _, ok := zones[tr]; !ok {
			tiers = append(tiers, tr)
		}
		tierOf[s.LogicalID] = tr
		zones[tr] = append(zones[tr], fmt.Sprint(s.Properties()["AvailabilityZone"]))
	}
	holds := map[string][]string{}
	place := func(node string, subnets any) {
		for _, sub := range controls.RefsIn(subnets) {
			if tr, ok := tierOf[sub]; ok {
				for _, h := range holds[tr] {
					if h == node {
						return
					}
				}
				holds[tr] = append(holds[tr], node)
				return
			}
		}
	}
	for _, lb := range t.Resources("AWS::ElasticLoadBalancingV2::LoadBalancer") {
		place(fmt.Sprintf("ALB[\"Application Load Balancer<br/>%s\"]", listeners(t, lb)), lb.Properties()["Subnets"])
	}
	if n := t.Resources("AWS::EC2::NatGateway"); len(n) > 0 {
		place(fmt.Sprintf("NAT[\"%d NAT gateway(s)\"]", len(n)), n[0].Properties()["SubnetId"])
	}
	for _, g := range t.Resources("AWS::AutoScaling::AutoScalingGroup") {
		place("ASG[\"Auto Scaling group<br/>from its launch template\"]", g.Properties()["VPCZoneIdentifier"])
	}
	for _, r := range t.Resources("AWS::SecretsManager::RotationSchedule") {
		if v, ok := r.Get("HostedRotationLambda", "VpcSubnetIds"); ok {
			place("Rotation[\"Secrets Manager<br/>rotation function\"]", v)
		}
	}
	for _, e := range t.Resources("AWS::EC2::VPCEndpoint") {
		if v, ok := e.Get("SubnetIds"); ok {
			place(fmt.Sprintf("Endpoints[\"%d interface endpoint(s)\"]", countWith(t, "AWS::EC2::VPCEndpoint", "SubnetIds")), v)
		}
	}
	for _, db := range t.Resources("AWS::RDS::DBInstance") {
		if g, ok := t.Resource(controls.RefTargetOr(db.Properties()["DBSubnetGroupName"])); ok {
			place(fmt.Sprintf("RDS[(\"RDS %v %v<br/>Multi-AZ %v, encrypted %v\")]", db.Properties()["Engine"], db.Properties()["EngineVersion"], db.Properties()["MultiAZ"], db.Properties()["StorageEncrypted"]), g.Properties()["SubnetIds"])
		}
	}
	for _, tr := range tiers {
		sort.Strings(zones[tr])
		p("            subgraph Tier%s[\"%s subnets: %s\"]\n", tr, tr, strings.Join(zones[tr], ", "))
		for _, h := range holds[tr] {
			p("                %s\n", h)
		}
		p("            end\n")
	}
	p("        end\n")

	// Security groups, and the traffic each admits from another or from the internet.
	sgs := t.Resources("AWS::EC2::SecurityGroup")
	p("        subgraph SecurityGroups[\"Security groups\"]\n")
	for _, sg := range sgs {
		p("            %s[\"%s\"]\n", sgID(t, sg.LogicalID), label(sg.Path()))
	}
	p("        end\n")
	has := func(typ string) bool { return len(t.Resources(typ)) > 0 }
	for _, tr := range t.Resources("AWS::CloudTrail::Trail") {
		p("        Audit[\"CloudTrail trail %s\"]\n", tr.String("TrailName"))
	}
	if has("AWS::Logs::LogGroup") {
		p("        Logs[(\"CloudWatch Logs<br/>%s\")]\n", logGroupsText(t))
	}
	var detect []string
	for _, d := range []struct{ typ, name string }{
		{"AWS::GuardDuty::Detector", "GuardDuty"}, {"AWS::SecurityHub::Hub", "Security Hub"},
		{"AWS::Config::ConfigurationRecorder", "AWS Config"}, {"AWS::Config::ConfigRule", "Config rules"},
		{"AWS::AccessAnalyzer::Analyzer", "Access Analyzer"}, {"AWS::CloudWatch::Alarm", "alarms"},
	} {
		if has(d.typ) {
			detect = append(detect, d.name)
		}
	}
	if len(detect) > 0 {
		p("        Detect[\"%s\"]\n", strings.Join(detect, ", "))
	}
	if has("AWS::SNS::Topic") {
		p("        Alerts[[\"SNS topic\"]]\n")
	}
	if has("AWS::WAFv2::WebACL") {
		p("        WAF[\"WAF web ACL\"]\n")
	}
	accessLogs := ""
	for _, lb := range t.Resources("AWS::ElasticLoadBalancingV2::LoadBalancer") {
		if b := lbAttribute(lb, "access_logs.s3.bucket"); b != nil {
			accessLogs = controls.RefTargetOr(b)
		}
	}
	if accessLogs != "" {
		p("        AccessLogs[(\"access-log bucket\")]\n")
	}
	for _, e := range t.Resources("AWS::EC2::VPCEndpoint") {
		if e.String("VpcEndpointType") != "" && e.String("VpcEndpointType") != "Gateway" {
			continue
		}
		what := "every bucket"
		if _, ok := e.Get("PolicyDocument"); ok {
			what = "the buckets its policy admits"
		}
		p("        S3Endpoint[(\"S3 gateway endpoint<br/>%s\")]\n", what)
	}
	p("    end\n")

	var edges []string
	for _, sg := range sgs {
		for _, r := range ingress(t, sg) {
			edges = append(edges, fmt.Sprintf("    %s -->|%s| %s\n", r.from, r.what, sgID(t, sg.LogicalID)))
		}
	}
	// Egress to the S3 gateway endpoint, through its prefix list.
	for _, e := range t.Resources("AWS::EC2::SecurityGroupEgress") {
		if _, ok := e.Get("DestinationPrefixListId"); ok {
			from := controls.RefTargetOr(e.Properties()["GroupId"])
			edges = append(edges, fmt.Sprintf("    %s -->|tcp %v| S3Endpoint\n", sgID(t, from), e.Properties()["FromPort"]))
		}
	}
	sort.Strings(edges)
	for _, e := range edges {
		p("%s", e)
	}
	// Which resources each group protects, and the flows the templates wire.
	if has("AWS::ElasticLoadBalancingV2::LoadBalancer") {
		p("    %s -.- ALB\n", sgID(t, attached(t, "AWS::ElasticLoadBalancingV2::LoadBalancer", "SecurityGroups")))
		if has("AWS::WAFv2::WebACLAssociation") {
			p("    Internet --> WAF --> ALB\n")
		} else {
			p("    Internet --> ALB\n")
		}
		if has("AWS::AutoScaling::AutoScalingGroup") && controls.RefsIn(t.Resources("AWS::AutoScaling::AutoScalingGroup")[0].Properties()["TargetGroupARNs"]) != nil {
			p("    ALB --> ASG\n")
		}
	}
	if has("AWS::RDS::DBInstance") {
		p("    %s -.- RDS\n", sgID(t, attached(t, "AWS::RDS::DBInstance", "VPCSecurityGroups")))
	}
	if has("AWS::EC2::NatGateway") && has("AWS::AutoScaling::AutoScalingGroup") {
		p("    ASG --> NAT --> Internet\n")
	}
	for _, tr := range t.Resources("AWS::CloudTrail::Trail") {
		p("    Audit -.->|log files, SSE-KMS with the archive key| %s\n", id("Bucket", tr.String("S3BucketName")))
		if _, ok := tr.Get("CloudWatchLogsLogGroupArn"); ok {
			p("    Audit -.-> Logs\n")
		}
	}
	if accessLogs != "" {
		p("    ALB -.->|access logs| AccessLogs\n")
	}
	if has("AWS::EC2::FlowLog") {
		p("    VPC -.->|flow logs| Logs\n")
	}
	if has("AWS::WAFv2::LoggingConfiguration") {
		p("    WAF -.->|WAF logs| Logs\n")
	}
	for _, db := range t.Resources("AWS::RDS::DBInstance") {
		if l := list(db.Properties()["EnableCloudwatchLogsExports"]); len(l) > 0 {
			p("    RDS -.->|%s logs| Logs\n", joinAny(l))
		}
	}
	if has("AWS::Logs::MetricFilter") && len(detect) > 0 {
		p("    Logs -.-> Detect\n")
	}
	if len(detect) > 0 && has("AWS::SNS::Topic") {
		p("    Detect -.-> Alerts\n")
	}
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func joinAny(l []any) string {
	s := make([]string, len(l))
	for i, x := range l {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

func countWith(t *controls.Template, typ, prop string) int {
	n := 0
	for _, r := range t.Resources(typ) {
		if _, ok := r.Get(prop); ok {
			n++
		}
	}
	return n
}

func lbAttribute(lb controls.Resource, key string) any {
	for _, a := range list(lb.Properties()["LoadBalancerAttributes"]) {
		if m, _ := a.(map[string]any); m["Key"] == key {
			return m["Value"]
		}
	}
	return nil
}

// listeners describes a load balancer's listeners: protocol, port and TLS
// policy.
func listeners(t *controls.Template, lb controls.Resource) string {
	var out []string
	for _, l := range t.Resources("AWS::ElasticLoadBalancingV2::Listener") {
		if controls.RefTargetOr(l.Properties()["LoadBalancerArn"]) != lb.LogicalID {
			continue
		}
		d := fmt.Sprintf("%v %v", l.Properties()["Protocol"], l.Properties()["Port"])
		if pol := l.String("SslPolicy"); pol != "" {
			d += " " + pol
		}
		out = append(out, d)
	}
	sort.Strings(out)
	return strings.Join(out, "<br/>")
}

// logGroupsText says how the log groups are kept, when they agree.
func logGroupsText(t *controls.Template) string {
	days, enc := map[string]bool{}, 0
	groups := t.Resources("AWS::Logs::LogGroup")
	for _, g := range groups {
		days[fmt.Sprint(g.Properties()["RetentionInDays"])] = true
		if _, ok := g.Get("KmsKeyId"); ok {
			enc++
		}
	}
	text := fmt.Sprintf("%d groups, %d KMS-encrypted", len(groups), enc)
	if len(days) == 1 {
		for d := range days {
			text += ", " + d + " days"
		}
	}
	return text
}

type edge struct{ from, what string }

// sgID is the diagram node of a security group, named by its construct path
// (stable across CDK versions, unlike the hashed logical ID).
func sgID(t *controls.Template, logicalID string) string {
	if r, ok := t.Resource(logicalID); ok {
		return id("SG", label(r.Path()))
	}
	return id("SG", logicalID)
}

// ingress returns the rules that admit traffic into sg, as edges from the
// source group or the internet.
func ingress(t *controls.Template, sg controls.Resource) []edge {
	var rules []map[string]any
	if in, ok := sg.Get("SecurityGroupIngress"); ok {
		for _, r := range in.([]any) {
			rules = append(rules, r.(map[string]any))
		}
	}
	for _, r := range t.Resources("AWS::EC2::SecurityGroupIngress") {
		if controls.RefTargetOr(r.Properties()["GroupId"]) == sg.LogicalID {
			rules = append(rules, r.Properties())
		}
	}
	var out []edge
	for _, r := range rules {
		what := fmt.Sprintf("%v %v", r["IpProtocol"], r["FromPort"])
		if r["FromPort"] != r["ToPort"] {
			what = fmt.Sprintf("%v %v-%v", r["IpProtocol"], r["FromPort"], r["ToPort"])
		}
		switch {
		case r["SourceSecurityGroupId"] != nil:
			out = append(out, edge{sgID(t, controls.RefTargetOr(r["SourceSecurityGroupId"])), what})
		case r["CidrIp"] == "0.0.0.0/0":
			out = append(out, edge{"Internet", what})
		default:
			out = append(out, edge{"Internet", what + " from " + fmt.Sprint(r["CidrIp"])})
		}
	}
	return out
}

func attached(t *controls.Template, typ, prop string) string {
	for _, r := range t.Resources(typ) {
		if l, ok := r.Properties()[prop].([]any); ok && len(l) > 0 {
			return controls.RefTargetOr(l[0])
		}
	}
	return "None"
}

// responsibility says, for a resource type, what this app configures (the
// customer's side of the line) and what AWS secures (its side), following
// the seed: the line moves with the abstraction level.
var responsibility = map[string][2]string{
	"AWS::EC2::VPC":                             {"CIDR, subnet tiers, routes, flow logs, default security group emptied", "the network backbone and the hypervisor's isolation between VPCs"},
	"AWS::EC2::SecurityGroup":                   {"every rule: who may reach what, on which port", "enforcing the rules in the hypervisor"},
	"AWS::EC2::LaunchTemplate":                  {"the OS (Amazon Linux 2023) and its patches, IMDSv2, disk encryption, the application and its dependencies (IaaS: the most rope)", "the physical hosts, the hypervisor, the host OS"},
	"AWS::AutoScaling::AutoScalingGroup":        {"placement in private subnets, health checks, capacity", "replacing failed capacity it is told about"},
	"AWS::RDS::DBInstance":                      {"encryption with our key, TLS-only parameters, who may connect, backups kept, the master password (PaaS)", "the database OS and engine patching, storage, Multi-AZ failover"},
	"AWS::SecretsManager::Secret":               {"which principals may read it, its key, its rotation schedule", "storing it encrypted, running the hosted rotation function"},
	"AWS::KMS::Key":                             {"the key policy: who may use and manage each key; rotation on", "the HSMs that hold key material, which never leaves them"},
	"AWS::S3::Bucket":                           {"Block Public Access, encryption, TLS-only policies, versioning, Object Lock, lifecycle", "durability and availability of the objects"},
	"AWS::ElasticLoadBalancingV2::LoadBalancer": {"listeners, the TLS policy, header handling, access logs", "the load balancer's fleet, its patching and scaling"},
	"AWS::CertificateManager::Certificate":      {"the domain it covers and proving ownership of it", "issuing and renewing the certificate"},
	"AWS::WAFv2::WebACL":                        {"which rule groups run, the rate limit, logging", "the managed rule groups' content and the filtering fleet"},
	"AWS::IAM::Role":                            {"every permission (least privilege), who may assume it", "authenticating and authorizing each call"},
	"AWS::CloudTrail::Trail":                    {"what is recorded, where it goes, log file validation", "delivering every event, signing the digests"},
	"AWS::GuardDuty::Detector":                  {"turning it and its protections on, acting on findings", "the threat intelligence and detection models"},
	"AWS::SecurityHub::Hub":                     {"which standards are checked, acting on findings", "running the checks"},
	"AWS::Config::ConfigurationRecorder":        {"recording everything, the rules that evaluate it", "recording configuration changes"},
	"AWS::SNS::Topic":                           {"who may publish, its key, who is subscribed", "delivering the messages"},
	"AWS::Logs::LogGroup":                       {"retention, the key, who may read", "storing and indexing the events"},
}

func writeResponsibility(p func(string, ...any), templates []*controls.Template) {
	present := map[string]bool{}
	for _, t := range templates {
		for _, r := range t.Body["Resources"].(map[string]any) {
			present[fmt.Sprint(r.(map[string]any)["Type"])] = true
		}
	}
	var types []string
	for typ := range responsibility {
		if present[typ] {
			types = append(types, typ)
		}
	}
	sort.Strings(types)
	p("## Shared responsibility\n\n")
	p("The seed's two columns, for each kind of resource this app deploys. AWS secures the cloud (data centers, hosts, hypervisors, the backbone, the managed services themselves); ")
	p("everything in the left column is configuration this app sets, and a control in [`CONTROLS.md`](CONTROLS.md) checks it. ")
	p("The three disciplines every customer owns whatever the abstraction (encryption at rest and in transit, secrets management, audit logging) run through all of it.\n\n")
	p("| Resource type | Customer: security in the cloud (this app) | AWS: security of the cloud |\n|---|---|---|\n")
	for _, typ := range types {
		r := responsibility[typ]
		p("| `%s` | %s | %s |\n", typ, r[0], r[1])
	}
}

// WriteBaselines writes the table of each account's baseline in each
// governed region, read from the templates of a synthesis with several
// governed regions.
func WriteBaselines(w io.Writer, templates []*controls.Template) error {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	type row struct {
		account, region, stack string
		t                      *controls.Template
	}
	var rows []row
	var regions []string
	for _, t := range templates {
		f, ok := t.Facts()
		if !ok {
			return fmt.Errorf("%s: not a template of this app", t.Name)
		}
		regions = f.GovernedRegions
		if f.Stack != controls.StackBaseline && f.Stack != controls.StackLoggingBaseline && f.Stack != controls.StackRegionalBaseline {
			continue
		}
		account := "workload " + f.WorkloadAccount
		if f.Role == controls.RoleLogArchive {
			account = "logging " + f.LoggingAccount
		}
		rows = append(rows, row{account, f.Region, f.StackName, t})
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].account != rows[j].account {
			return rows[i].account < rows[j].account // logging first, as they deploy
		}
		return slices.Index(regions, rows[i].region) < slices.Index(regions, rows[j].region)
	})
	p("## The baseline of each account in each governed region\n\n")
	p("With `governedRegions` set to %s (the home region first), read from that synthesis's templates. ", strings.Join(regions, ","))
	p("Each other region's serious findings reach the home region: GuardDuty's through an EventBridge rule to the home region's event bus, Security Hub's through its cross-region aggregation.\n\n")
	p("| Account | Region | Stack | GuardDuty | Security Hub | AWS Config recorder | Access Analyzer | EBS encryption by default | Trail and alarms | Findings go to |\n")
	p("|---|---|---|---|---|---|---|---|---|---|\n")
	yes := func(t *controls.Template, typ string) string {
		if len(t.Resources(typ)) > 0 {
			return "on"
		}
		return "-"
	}
	for _, r := range rows {
		recorder := "-"
		for _, rec := range r.t.Resources("AWS::Config::ConfigurationRecorder") {
			recorder = "every type"
			if !rec.Bool("RecordingGroup", "IncludeGlobalResourceTypes") {
				recorder = "every type but the global IAM ones"
			}
		}
		ebs := "-"
		for _, c := range r.t.Resources("Custom::AWS") {
			if strings.Contains(fmt.Sprint(c.Properties()["Create"]), "EnableEbsEncryptionByDefault") {
				ebs = "on"
			}
		}
		trail, dest := "-", "the home region's event bus"
		if len(r.t.Resources("AWS::CloudTrail::Trail")) > 0 {
			trail = fmt.Sprintf("multi-region trail, %d alarms", len(r.t.Resources("AWS::CloudWatch::Alarm")))
			dest = "the account's alerts topic"
		}
		p("| %s | %s | `%s` | %s | %s | %s | %s | %s | %s | %s |\n", r.account, r.region, r.stack,
			yes(r.t, "AWS::GuardDuty::Detector"), yes(r.t, "AWS::SecurityHub::Hub"), recorder, yes(r.t, "AWS::AccessAnalyzer::Analyzer"), ebs, trail, dest)
	}
	p("\n")
	return nil
}
