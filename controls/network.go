package controls

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

const networkPkg = "constructs/network"

// Subnet tiers: the subnet group names that constructs/network gives CDK,
// which records them in each subnet's aws-cdk:subnet-name tag.
const (
	// SubnetPublic holds the load balancer and the NAT gateways.
	SubnetPublic = "Public"
	// SubnetApp holds the instances and the functions in the VPC; it leaves
	// the VPC through NAT gateways with internetEgress, not at all without.
	SubnetApp = "App"
	// SubnetData holds the database and never leaves the VPC.
	SubnetData = "Data"
)

func networkControls() []Control {
	return inSection(LayerNetwork, networkPkg, RoleWorkload, []Control{
		{
			ID: "NET-1", Title: "The VPC spans the configured number of availability zones (at least two), each with a Public, an App and a Data subnet, and every subnet is placed in a configured zone: by AZ ID (AvailabilityZoneId), the same physical zone in every account, with availabilityZoneIds",
			Check: vpcSpansZones,
		},
		{
			ID: "NET-2", Title: "No subnet assigns public IPs on launch; only Public subnets route to the internet gateway; App subnets leave the VPC only through the configured NAT gateways with internetEgress, not at all without; Data subnets never",
			Frameworks: []string{"FSBP EC2.15"},
			Check:      subnetRouting,
		},
		{
			ID: "NET-3", Title: "VPC flow logs capture ALL traffic into a CloudWatch Logs group encrypted with a customer-managed key and kept for the configured retention",
			Frameworks: []string{"FSBP EC2.6", "CIS 3.7"},
			Check:      flowLogsOn,
		},
		{
			ID: "NET-4", Title: "The VPC's default security group has every rule removed",
			Frameworks: []string{"FSBP EC2.2", "CIS 5.4"},
			Check:      each("AWS::EC2::VPC", "", defaultSGClosed),
		},
		{
			ID: "NET-5", Title: "An S3 gateway endpoint serves the App subnets; with interfaceEndpoints on, Secrets Manager and KMS interface endpoints with private DNS admit HTTPS only from security groups, by reference",
			Check: endpointsServeApp,
		},
		{
			ID: "NET-6", Title: "No security group admits SSH (22) or RDP (3389) from any source, nor any port but 80 and 443 from the internet",
			Frameworks: []string{"FSBP EC2.13", "FSBP EC2.14", "FSBP EC2.18", "FSBP EC2.19", "CIS 5.2", "CIS 5.3"},
			Check:      each("AWS::EC2::SecurityGroup", "", noAdminPortsOpen),
		},
	})
}

// vpcSpansZones checks that the VPC spans the configured zones, each with a subnet of every tier.
func vpcSpansZones(t *Template, f StackFacts) []Failure {
	fails := oneVPC(t)
	if f.AZCount < 2 {
		fails = append(fails, Failure{"", fmt.Sprintf("the stack records %d availability zone(s); at least two are required", f.AZCount)})
	}
	byTier := subnetsByTier(t)
	for _, tier := range []string{SubnetPublic, SubnetApp, SubnetData} {
		azs := map[string]bool{}
		for _, s := range byTier[tier] {
			zone, failure := subnetZone(f, s)
			if failure != "" {
				fails = append(fails, Failure{s.Path(), failure})
			}
			azs[zone] = true
		}
		if len(azs) != f.AZCount || len(byTier[tier]) != f.AZCount {
			fails = append(fails, Failure{"", fmt.Sprintf("%d %s subnet(s) in %d zone(s); expected one in each of %d zones", len(byTier[tier]), strings.ToLower(tier), len(azs), f.AZCount)})
		}
	}
	return fails
}

// subnetZone returns the zone a subnet is placed in, and what is wrong
// with its placement: placed by name where the configuration places by AZ
// ID or the other way round, or in a zone the configuration does not name.
func subnetZone(f StackFacts, s Resource) (string, string) {
	byID := s.Properties()["AvailabilityZoneId"] != nil
	zone := placement(s)
	switch {
	case byID && s.Properties()["AvailabilityZone"] != nil:
		return zone, "names both AvailabilityZone and AvailabilityZoneId"
	case f.ZonesByID && !byID:
		return zone, fmt.Sprintf("is placed by zone name (AvailabilityZone %s), which maps to a different physical zone in each account; the configuration places subnets by AZ ID (availabilityZoneIds)", zone)
	case !f.ZonesByID && byID:
		return zone, fmt.Sprintf("is placed by AZ ID (%s) though the configuration names its zones (availabilityZones)", zone)
	case len(f.Zones) > 0 && !slices.Contains(f.Zones, zone):
		return zone, fmt.Sprintf("is in zone %s, which is not one of the configured zones %s (%s)", zone, strings.Join(f.Zones, ", "), map[bool]string{true: "availabilityZoneIds", false: "availabilityZones"}[f.ZonesByID])
	}
	return zone, ""
}

// placement is the zone a subnet is placed in: its AvailabilityZoneId, or
// its AvailabilityZone.
func placement(s Resource) string {
	if id, ok := s.Properties()["AvailabilityZoneId"]; ok {
		return describeValue(id)
	}
	return describeValue(s.Properties()["AvailabilityZone"])
}

// subnetRouting checks that subnets assign no public IPs and route to the internet only as their tier allows.
func subnetRouting(t *Template, f StackFacts) []Failure {
	fails := each("AWS::EC2::Subnet", "", subnetTagged)(t, f)
	byTier := subnetsByTier(t)
	for tier, subnets := range byTier {
		for _, s := range subnets {
			fails = append(fails, subnetRoutes(t, f, tier, s)...)
		}
	}
	return append(fails, natGatewaysPublic(t, f, byTier)...)
}

// subnetTagged checks that a subnet assigns no public IP and carries its tier's tag.
func subnetTagged(t *Template, f StackFacts, s Resource) []Failure {
	var fails []Failure
	if s.Bool("MapPublicIpOnLaunch") {
		fails = append(fails, Failure{s.Path(), "MapPublicIpOnLaunch is true"})
	}
	if subnetTier(s) == "" {
		fails = append(fails, Failure{s.Path(), "has no aws-cdk:subnet-name tag, so its tier cannot be checked"})
	}
	return fails
}

// subnetRoutes checks that a subnet of the tier leaves the VPC only through
// the gateway its tier allows, and that App subnets have their NAT route
// when internetEgress is on.
func subnetRoutes(t *Template, f StackFacts, tier string, s Resource) []Failure {
	var fails []Failure
	for _, r := range routesOf(t, s.LogicalID) {
		target, kind := routeTarget(t, r)
		switch {
		case kind == "AWS::EC2::InternetGateway" && tier != SubnetPublic:
			fails = append(fails, Failure{r.Path(), fmt.Sprintf("routes the %s subnet %s to the internet gateway", strings.ToLower(tier), s.Path())})
		case kind == "AWS::EC2::NatGateway" && (tier != SubnetApp || !f.InternetEgress):
			fails = append(fails, Failure{r.Path(), fmt.Sprintf("routes the %s subnet %s to a NAT gateway", strings.ToLower(tier), s.Path())})
		case kind != "AWS::EC2::InternetGateway" && kind != "AWS::EC2::NatGateway":
			fails = append(fails, Failure{r.Path(), fmt.Sprintf("routes the %s subnet %s out of the VPC through %s", strings.ToLower(tier), s.Path(), target)})
		}
	}
	if tier == SubnetApp && f.InternetEgress && !hasDefaultRoute(t, s.LogicalID, "AWS::EC2::NatGateway") {
		fails = append(fails, Failure{s.Path(), "App subnet without a default route through a NAT gateway (internetEgress is true)"})
	}
	return fails
}

// natGatewaysPublic checks that there are as many NAT gateways as
// configured, each in a public subnet.
func natGatewaysPublic(t *Template, f StackFacts, byTier map[string][]Resource) []Failure {
	var fails []Failure
	publicIDs := map[string]bool{}
	for _, s := range byTier[SubnetPublic] {
		publicIDs[s.LogicalID] = true
	}
	nats := t.Resources("AWS::EC2::NatGateway")
	if len(nats) != f.NatGateways {
		fails = append(fails, Failure{"", fmt.Sprintf("%d NAT gateway(s); the configuration asks for %d", len(nats), f.NatGateways)})
	}
	for _, n := range nats {
		if id, ok := RefTarget(n.Properties()["SubnetId"]); !ok || !publicIDs[id] {
			fails = append(fails, Failure{n.Path(), "is not in a public subnet"})
		}
	}
	return fails
}

// flowLogsOn checks that VPC flow logs capture all traffic into an encrypted, retained log group.
func flowLogsOn(t *Template, f StackFacts) []Failure {
	return append(each("AWS::EC2::VPC", "", vpcFlowLogged)(t, f), oneVPC(t)...)
}

// vpcFlowLogged checks that a flow log of the VPC captures all its traffic into an encrypted, retained log group.
func vpcFlowLogged(t *Template, f StackFacts, v Resource) []Failure {
	var fails []Failure
	ok := false
	for _, fl := range t.Resources("AWS::EC2::FlowLog") {
		if id, isRef := RefTarget(fl.Properties()["ResourceId"]); !isRef || id != v.LogicalID {
			continue
		}
		g, why := flowLogGroup(t, fl)
		if why != "" {
			fails = append(fails, Failure{fl.Path(), why})
			continue
		}
		fails = append(fails, encryptedLogGroup(t, g, f.LogRetentionDays)...)
		ok = true
	}
	if !ok {
		fails = append(fails, Failure{v.Path(), "no flow log of ALL traffic into a log group of this stack"})
	}
	return fails
}

// flowLogGroup returns the log group of this stack that a flow log of ALL
// traffic delivers to, or why it has none.
func flowLogGroup(t *Template, fl Resource) (Resource, string) {
	if fl.String("TrafficType") != "ALL" {
		return Resource{}, "TrafficType is " + fmt.Sprint(orNone(fl.Properties()["TrafficType"])) + ", not ALL"
	}
	if d := fl.String("LogDestinationType"); d != "" && d != "cloud-watch-logs" {
		return Resource{}, "delivers to " + d + ", not to an encrypted CloudWatch Logs group"
	}
	gid, isRef := RefTarget(fl.Properties()["LogGroupName"])
	g, found := t.Resource(gid)
	if !isRef || !found || g.Type != "AWS::Logs::LogGroup" {
		return Resource{}, "does not deliver to a log group of this stack"
	}
	return g, ""
}

// defaultSGClosed checks that the VPC's default security group has no rules.
func defaultSGClosed(t *Template, f StackFacts, v Resource) []Failure {
	if !restrictsDefaultSG(t, v.LogicalID) {
		return []Failure{{v.Path(), "nothing removes the rules of its default security group (CDK's RestrictDefaultSecurityGroup)"}}
	}
	return nil
}

// endpointsServeApp checks that the VPC endpoints serve the App subnets.
func endpointsServeApp(t *Template, f StackFacts) []Failure {
	fails := s3EndpointServesApp(t)
	if !f.InterfaceEndpoints {
		return fails
	}
	for _, svc := range []string{"secretsmanager", "kms"} {
		fails = append(fails, interfaceEndpointPrivate(t, svc)...)
	}
	return fails
}

// s3EndpointServesApp checks that an S3 gateway endpoint serves the route
// table of every App subnet.
func s3EndpointServesApp(t *Template) []Failure {
	s3 := endpoint(t, "s3", "Gateway")
	if s3 == nil {
		return []Failure{{"", "no S3 gateway endpoint"}}
	}
	var fails []Failure
	tables := map[string]bool{}
	for _, rt := range list(s3.Properties()["RouteTableIds"]) {
		if id, ok := RefTarget(rt); ok {
			tables[id] = true
		}
	}
	for _, s := range subnetsByTier(t)[SubnetApp] {
		if rt := routeTableOf(t, s.LogicalID); rt == "" || !tables[rt] {
			fails = append(fails, Failure{s3.Path(), "does not serve the route table of App subnet " + s.Path()})
		}
	}
	return fails
}

// interfaceEndpointPrivate checks that the service's interface endpoint
// exists, has private DNS, and admits only HTTPS from security groups.
func interfaceEndpointPrivate(t *Template, svc string) []Failure {
	e := endpoint(t, svc, "Interface")
	if e == nil {
		return []Failure{{"", "no " + svc + " interface endpoint (interfaceEndpoints is on)"}}
	}
	var fails []Failure
	if !e.Bool("PrivateDnsEnabled") {
		fails = append(fails, Failure{e.Path(), "PrivateDnsEnabled is not true, so clients would still resolve the public endpoint"})
	}
	sgs := list(e.Properties()["SecurityGroupIds"])
	if len(sgs) == 0 {
		fails = append(fails, Failure{e.Path(), "has no security group of this stack"})
	}
	for _, sg := range sgs {
		id, _ := RefTarget(sg)
		for _, rule := range ingressRules(t, id) {
			if rule.source == "" || !rule.allowsOnly(443) {
				fails = append(fails, Failure{rule.path, "endpoint security group admits " + rule.String() + "; only HTTPS from a security group is allowed"})
			}
		}
	}
	return fails
}

// noAdminPortsOpen checks that a security group admits neither SSH nor RDP, nor other ports from the internet.
func noAdminPortsOpen(t *Template, f StackFacts, sg Resource) []Failure {
	var fails []Failure
	for _, r := range ingressRules(t, sg.LogicalID) {
		if r.covers(22) || r.covers(3389) {
			fails = append(fails, Failure{r.path, "admits " + r.String() + ", which includes SSH or RDP"})
		} else if r.fromInternet() && !(r.allowsOnly(443) || r.allowsOnly(80)) {
			fails = append(fails, Failure{r.path, "admits " + r.String() + " from the internet"})
		}
	}
	return fails
}

func oneVPC(t *Template) []Failure {
	if n := len(t.Resources("AWS::EC2::VPC")); n != 1 {
		return []Failure{{"", fmt.Sprintf("%d VPCs; the workload has exactly one", n)}}
	}
	return nil
}

func subnetTier(s Resource) string {
	tags, _ := s.Get("Tags")
	for _, tag := range list(tags) {
		if k, _ := dig(tag, "Key"); k == "aws-cdk:subnet-name" {
			v, _ := dig(tag, "Value")
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

func subnetsByTier(t *Template) map[string][]Resource {
	out := map[string][]Resource{}
	for _, s := range t.Resources("AWS::EC2::Subnet") {
		out[subnetTier(s)] = append(out[subnetTier(s)], s)
	}
	return out
}

// routeTableOf returns the logical ID of the route table associated with a
// subnet, or "".
func routeTableOf(t *Template, subnetID string) string {
	for _, a := range t.Resources("AWS::EC2::SubnetRouteTableAssociation") {
		if id, ok := RefTarget(a.Properties()["SubnetId"]); ok && id == subnetID {
			rt, _ := RefTarget(a.Properties()["RouteTableId"])
			return rt
		}
	}
	return ""
}

// routesOf returns the routes of a subnet's route table.
func routesOf(t *Template, subnetID string) []Resource {
	rt := routeTableOf(t, subnetID)
	var out []Resource
	for _, r := range t.Resources("AWS::EC2::Route") {
		if id, ok := RefTarget(r.Properties()["RouteTableId"]); ok && rt != "" && id == rt {
			out = append(out, r)
		}
	}
	return out
}

var routeTargets = []string{"GatewayId", "NatGatewayId", "TransitGatewayId", "VpcPeeringConnectionId", "InstanceId",
	"NetworkInterfaceId", "EgressOnlyInternetGatewayId", "CarrierGatewayId", "LocalGatewayId", "VpcEndpointId", "CoreNetworkArn"}

// routeTarget names where a route leads and the type of the resource it
// leads to ("" when it is not a resource of this template).
func routeTarget(t *Template, r Resource) (string, string) {
	for _, k := range routeTargets {
		v, ok := r.Get(k)
		if !ok {
			continue
		}
		if id, ok := RefTarget(v); ok {
			if res, found := t.Resource(id); found {
				return k + " " + res.Path(), res.Type
			}
		}
		return k + " " + describeValue(v), ""
	}
	return "an unknown target", ""
}

func hasDefaultRoute(t *Template, subnetID, targetType string) bool {
	for _, r := range routesOf(t, subnetID) {
		if _, kind := routeTarget(t, r); kind == targetType && r.String("DestinationCidrBlock") == "0.0.0.0/0" {
			return true
		}
	}
	return false
}

func restrictsDefaultSG(t *Template, vpcID string) bool {
	for _, c := range t.Resources("Custom::VpcRestrictDefaultSG") {
		ga, _ := dig(c.Properties(), "DefaultSecurityGroupId", "Fn::GetAtt")
		parts := list(ga)
		if len(parts) == 2 && parts[0] == vpcID && parts[1] == "DefaultSecurityGroup" {
			return true
		}
	}
	return false
}

// endpoint finds the VPC endpoint of a service ("s3", "kms") and type.
func endpoint(t *Template, service, typ string) *Resource {
	for _, e := range t.Resources("AWS::EC2::VPCEndpoint") {
		et := e.String("VpcEndpointType")
		if et == "" {
			et = "Gateway"
		}
		name := describeValue(e.Properties()["ServiceName"])
		if et == typ && strings.HasSuffix(name, "."+service) {
			return &e
		}
	}
	return nil
}

// encryptedLogGroup checks that a log group is encrypted with a key of this
// stack and kept for exactly days.
func encryptedLogGroup(t *Template, g Resource, days int) []Failure {
	var fails []Failure
	if kid, ok := RefTarget(g.Properties()["KmsKeyId"]); !ok {
		fails = append(fails, Failure{g.Path(), "is not encrypted with a KMS key of this stack"})
	} else if k, found := t.Resource(kid); !found || k.Type != "AWS::KMS::Key" {
		fails = append(fails, Failure{g.Path(), "its KmsKeyId is not a customer-managed key"})
	}
	if r, _ := g.Get("RetentionInDays"); !numberIs(r, days) {
		fails = append(fails, Failure{g.Path(), fmt.Sprintf("RetentionInDays is %v; the configuration says %d", orNone(r), days)})
	}
	return fails
}

// rule is one ingress rule of a security group, inline or standalone.
type rule struct {
	path     string
	protocol string
	from, to int
	cidr     string // CidrIp or CidrIpv6, or "prefix list <id>"
	source   string // logical ID of the source security group
	// prefixList is the logical ID of the resource the prefix list's ID
	// comes from (Fn::GetAtt), when it is one of the template.
	prefixList string
	egress     bool // an egress rule: cidr and source are its destination
}

func (r rule) String() string {
	peer, dir := r.cidr, "from"
	if r.source != "" {
		peer = "security group " + r.source
	}
	if r.egress {
		dir = "to"
	}
	if r.protocol == "-1" {
		return "all traffic " + dir + " " + peer
	}
	return fmt.Sprintf("%s %d-%d %s %s", r.protocol, r.from, r.to, dir, peer)
}

func (r rule) covers(port int) bool {
	return r.protocol == "-1" || ((r.protocol == "tcp" || r.protocol == "6" || r.protocol == "udp" || r.protocol == "17") && r.from <= port && port <= r.to)
}

func (r rule) allowsOnly(port int) bool {
	return (r.protocol == "tcp" || r.protocol == "6") && r.from == port && r.to == port
}

func (r rule) fromInternet() bool { return r.cidr == "0.0.0.0/0" || r.cidr == "::/0" }

// ingressRules returns every rule that admits traffic into the security
// group sgID: its inline SecurityGroupIngress and the standalone
// AWS::EC2::SecurityGroupIngress resources that name it.
func ingressRules(t *Template, sgID string) []rule {
	var out []rule
	sg, ok := t.Resource(sgID)
	if !ok {
		return nil
	}
	for _, in := range list(sg.Properties()["SecurityGroupIngress"]) {
		m, _ := in.(map[string]any)
		out = append(out, parseRule(sg.Path(), m))
	}
	for _, in := range t.Resources("AWS::EC2::SecurityGroupIngress") {
		if id, ok := RefTarget(in.Properties()["GroupId"]); ok && id == sgID {
			out = append(out, parseRule(in.Path(), in.Properties()))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

func parseRule(path string, m map[string]any) rule {
	r := rule{path: path, protocol: fmt.Sprint(m["IpProtocol"]), from: portOf(m["FromPort"], 0), to: portOf(m["ToPort"], 65535)}
	switch {
	case m["CidrIp"] != nil:
		r.cidr = describeValue(m["CidrIp"])
	case m["CidrIpv6"] != nil:
		r.cidr = describeValue(m["CidrIpv6"])
	case m["SourcePrefixListId"] != nil:
		r.cidr = "prefix list " + describeValue(m["SourcePrefixListId"])
		r.prefixList = RefTargetOr(m["SourcePrefixListId"])
	case m["SourceSecurityGroupId"] != nil:
		if id, ok := RefTarget(m["SourceSecurityGroupId"]); ok {
			r.source = id
		} else {
			r.cidr = "security group " + describeValue(m["SourceSecurityGroupId"]) + " outside this stack"
		}
	default:
		r.cidr = "an unknown source"
	}
	if r.protocol == "-1" || r.protocol == "all" {
		r.protocol, r.from, r.to = "-1", 0, 65535
	}
	return r
}

func portOf(v any, def int) int {
	if n, ok := number(v); ok {
		if n < 0 { // -1: all ports
			return def
		}
		return int(n)
	}
	return def
}

// number reads a CloudFormation number, which templates write as a JSON
// number or as a string.
func number(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	return 0, false
}
