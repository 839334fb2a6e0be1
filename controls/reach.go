package controls

import (
	"fmt"
	"sort"
	"strings"
)

// managedPolicyServices are the services that the AWS managed policies an
// app tier's role may have (APP-3) let it call.
var managedPolicyServices = map[string][]string{ssmCore: {"ec2messages", "ssm", "ssmmessages"}}

// call is one thing the app tier's role may do: an action on a resource,
// or (action "") what an AWS managed policy lets it call.
type call struct {
	action   string
	resource any
	from     string // the managed policy, for action ""
}

func (c call) String() string {
	if c.action == "" {
		return "through " + c.from
	}
	return c.action + " on " + flatten(c.resource)
}

// appServicesReachable checks that every AWS service the app tier's role
// may call is reachable from the App subnets, under the configured egress:
// through an endpoint that admits the app tier's security group and whose
// policy admits the call, or through the NAT gateways with internetEgress.
func appServicesReachable(t *Template, f StackFacts) []Failure {
	sgs := appSecurityGroups(t)
	roles := t.Declared(IdentityAppRole)
	if len(roles) == 0 || len(sgs) == 0 {
		return []Failure{{"", fmt.Sprintf("no role or no security group is declared the app tier's (%s, %s): constructs/apptier declares both", IdentityAppRole, IdentityAppSecurityGroup)}}
	}
	var fails []Failure
	for _, role := range roles {
		calls, unreadable := roleCalls(t, f, role)
		fails = append(fails, unreadable...)
		services := make([]string, 0, len(calls))
		for svc := range calls {
			services = append(services, svc)
		}
		sort.Strings(services)
		for _, svc := range services {
			var why []string
			switch svc {
			case "rds-db":
				why = reachDatabase(t, calls[svc], sgs)
			case "s3":
				why = reachS3(t, f, calls[svc], sgs)
			default:
				why = reachInterface(t, f, svc, calls[svc], sgs)
			}
			for _, w := range why {
				fails = append(fails, Failure{role.Path(), fmt.Sprintf("may call %s (%s), but %s", svc, describeCalls(calls[svc]), w)})
			}
		}
	}
	return fails
}

// roleCalls returns what the role may call, by service. A statement that
// only a service acting for the tier can use (kms:ViaService) is that
// service's call, not the tier's.
func roleCalls(t *Template, f StackFacts, role Resource) (map[string][]call, []Failure) {
	calls := map[string][]call{}
	var fails []Failure
	for _, s := range rolePolicyStatements(t, role) {
		if !s.Allows() || viaService(s, f) {
			continue
		}
		for _, a := range s.Actions {
			svc, _, ok := strings.Cut(strings.ToLower(a), ":")
			if !ok || strings.Contains(svc, "*") {
				fails = append(fails, Failure{role.Path(), "is allowed " + a + ", so which services it calls cannot be known"})
				continue
			}
			for _, r := range s.Resources {
				calls[svc] = append(calls[svc], call{action: a, resource: r})
			}
		}
	}
	for _, m := range list(role.Properties()["ManagedPolicyArns"]) {
		if _, ours := RefTarget(m); ours {
			continue // a policy of the templates: its statements are read above
		}
		name := flatten(m)
		name = name[strings.LastIndex(name, "/")+1:]
		services, known := managedPolicyServices[name]
		if !known {
			fails = append(fails, Failure{role.Path(), "has the managed policy " + flatten(m) + ", whose services this check cannot read"})
		}
		for _, svc := range services {
			calls[svc] = append(calls[svc], call{from: name})
		}
	}
	return calls, fails
}

// viaService reports whether a statement applies only to calls a service
// makes for the principal (kms:ViaService <service>.<region>.amazonaws.com).
func viaService(s Statement, f StackFacts) bool {
	vs := list(s.Condition("StringEquals", "kms:ViaService"))
	for _, v := range vs {
		if str, _ := v.(string); !strings.HasSuffix(str, "."+f.Region+".amazonaws.com") {
			return false
		}
	}
	return len(vs) > 0
}

func describeCalls(cs []call) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.String())
	}
	return strings.Join(out, ", ")
}

// reachDatabase returns why the databases that rds-db:connect names cannot
// be reached from the app tier ("" for none): the token is signed on the
// instance and presented to the database, whose security group must admit
// the app tier's, on its port.
func reachDatabase(t *Template, calls []call, sgs map[string]bool) []string {
	var why []string
	for _, c := range calls {
		var dbs []Resource
		for _, id := range refsIn(c.resource) {
			if r, found := t.Resource(id); found && r.Type == "AWS::RDS::DBInstance" {
				dbs = append(dbs, r)
			}
		}
		if len(dbs) == 0 {
			why = append(why, flatten(c.resource)+" names no database of this account's templates")
		}
		for _, db := range dbs {
			port, _ := number(db.Properties()["Port"])
			reached := false
			for _, dbSG := range refsIn(db.Properties()["VPCSecurityGroups"]) {
				reached = reached || (admitsApp(t, dbSG, sgs, int(port)) && appSendsTo(t, sgs, dbSG, int(port)))
			}
			if !reached {
				why = append(why, fmt.Sprintf("the security group of %s does not admit the app tier's on port %v, or the app tier's does not send to it (constructs/database admits its Props.Clients)", db.Path(), port))
			}
		}
	}
	return why
}

// reachS3 returns why S3 cannot be reached from the App subnets: through
// the gateway endpoint, whose policy must admit each call.
func reachS3(t *Template, f StackFacts, calls []call, sgs map[string]bool) []string {
	gw := endpoint(t, "s3", "Gateway")
	if gw == nil {
		return []string{"there is no S3 gateway endpoint (constructs/network)"}
	}
	var why []string
	for _, fl := range s3EndpointServesApp(t) {
		why = append(why, "the S3 gateway endpoint "+fl.Reason)
	}
	lists := map[string]bool{}
	for _, r := range t.Declared(IdentityS3PrefixList) {
		lists[r.LogicalID] = true
	}
	sends := false
	for _, id := range sortedKeys(sgs) {
		for _, e := range egressDetails(t, id) {
			sends = sends || (e.covers(443) && (lists[e.prefixList] || (f.InternetEgress && e.fromInternet())))
		}
	}
	if !sends {
		to := "S3's prefix list"
		if f.InternetEgress {
			to = "S3 (its prefix list, or any address through the NAT gateways)"
		}
		why = append(why, "the app tier's security group sends no HTTPS to "+to+" (network.AllowOutbound)")
	}
	if doc, ok := gw.Get("PolicyDocument"); ok {
		for _, c := range calls {
			if c.action != "" && !endpointAdmits(f, doc, c) {
				why = append(why, "the S3 gateway endpoint's policy does not admit "+c.String()+" (constructs/network, s3EndpointPolicy)")
			}
		}
	}
	return why
}

// reachInterface returns why a service cannot be reached from the App
// subnets: through its interface endpoint, or through the NAT gateways.
func reachInterface(t *Template, f StackFacts, svc string, calls []call, sgs map[string]bool) []string {
	ep := endpoint(t, svc, "Interface")
	var why []string
	if ep == nil {
		why = append(why, "there is no "+svc+" interface endpoint in the VPC")
	} else {
		why = interfaceEndpointServes(t, f, *ep, calls, sgs)
	}
	if len(why) == 0 {
		return nil
	}
	// Without the endpoint's private DNS, the service's public endpoint,
	// through the NAT gateways; with it, the endpoint is the only way.
	if (ep == nil || !ep.Bool("PrivateDnsEnabled")) && f.InternetEgress && len(t.Resources("AWS::EC2::NatGateway")) > 0 && appSendsToInternet(t, sgs) {
		return nil
	}
	how := "constructs/network creates an interface endpoint for each service of " + grantTable + ", which stacks/data.go passes it as network.Props.AppServices (apptier.EndpointServices), and admits the app tier's security group to it (network.AllowAWSAPIs)"
	if !f.InterfaceEndpoints {
		how = "set interfaceEndpoints true, and constructs/network creates the endpoint of each service of " + grantTable
	}
	nat := "internetEgress is false, so nothing else reaches it from the App subnets"
	if f.InternetEgress {
		nat = "the NAT gateways do not reach it either (internetEgress is true, but the app tier's security group sends no HTTPS to the internet, or there is no NAT gateway)"
	}
	return []string{strings.Join(why, "; ") + "; " + nat + ": " + how}
}

// interfaceEndpointServes returns why an interface endpoint does not serve
// the app tier's calls.
func interfaceEndpointServes(t *Template, f StackFacts, ep Resource, calls []call, sgs map[string]bool) []string {
	var why []string
	if !ep.Bool("PrivateDnsEnabled") {
		why = append(why, "its interface endpoint "+ep.Path()+" has no private DNS, so the app resolves the public endpoint")
	}
	in := map[string]bool{}
	for _, id := range refsIn(ep.Properties()["SubnetIds"]) {
		in[id] = true
	}
	for _, s := range subnetsByTier(t)[SubnetApp] {
		if !in[s.LogicalID] {
			why = append(why, "its interface endpoint "+ep.Path()+" is not in App subnet "+s.Path())
		}
	}
	admitted := false
	for _, id := range refsIn(ep.Properties()["SecurityGroupIds"]) {
		admitted = admitted || (admitsApp(t, id, sgs, 443) && appSendsTo(t, sgs, id, 443))
	}
	if !admitted {
		why = append(why, "the security group of its interface endpoint "+ep.Path()+" does not admit the app tier's on 443 by reference, or the app tier's does not send to it (network.AllowAWSAPIs)")
	}
	if doc, ok := ep.Get("PolicyDocument"); ok {
		for _, c := range calls {
			if c.action != "" && !endpointAdmits(f, doc, c) {
				why = append(why, "the policy of its interface endpoint "+ep.Path()+" does not admit "+c.String())
			}
		}
	}
	return why
}

// admitsApp reports whether security group sgID admits one of the app
// tier's security groups on port, by reference.
func admitsApp(t *Template, sgID string, sgs map[string]bool, port int) bool {
	for _, r := range ingressRules(t, sgID) {
		if sgs[r.source] && r.covers(port) {
			return true
		}
	}
	return false
}

// appSendsTo reports whether one of the app tier's security groups sends
// to security group sgID on port.
func appSendsTo(t *Template, sgs map[string]bool, sgID string, port int) bool {
	for _, id := range sortedKeys(sgs) {
		for _, e := range egressDetails(t, id) {
			if e.source == sgID && e.covers(port) {
				return true
			}
		}
	}
	return false
}

// appSendsToInternet reports whether one of the app tier's security groups
// sends HTTPS to any address.
func appSendsToInternet(t *Template, sgs map[string]bool) bool {
	for _, id := range sortedKeys(sgs) {
		for _, e := range egressDetails(t, id) {
			if e.fromInternet() && e.covers(443) {
				return true
			}
		}
	}
	return false
}

// endpointAdmits reports whether an endpoint policy allows a call: an Allow
// to any principal that covers its action and resource, with no condition
// but the resource being the account's, and no Deny that covers it.
// Anything else is read as not admitted.
func endpointAdmits(f StackFacts, doc any, c call) bool {
	r := flatten(c.resource)
	admitted := false
	for _, s := range Statements(doc) {
		if !s.GrantsAction(c.action) || !resourceCovered(s.Resources, r) {
			continue
		}
		if !s.Allows() {
			return false
		}
		admitted = admitted || (s.AnyPrincipal() && endpointConditionHolds(s, f, r))
	}
	return admitted
}

// endpointConditionHolds reports whether a statement's conditions hold for
// resource r: none, or only that the resource is the workload account's.
func endpointConditionHolds(s Statement, f StackFacts, r string) bool {
	if len(s.Conditions) == 0 {
		return true
	}
	ours := strings.HasPrefix(r, "{") || accountOf(r) == f.WorkloadAccount || strings.Contains(r, ":"+f.WorkloadAccount+":")
	return len(s.Conditions) == 1 && len(s.Conditions["StringEquals"]) == 1 && s.ConditionEquals("StringEquals", "aws:ResourceAccount", f.WorkloadAccount) && ours
}

// resourceCovered reports whether one of a statement's resources (which may
// hold the wildcards * and ?) covers resource r.
func resourceCovered(patterns []any, r string) bool {
	for _, p := range patterns {
		if globMatch(flatten(p), r) {
			return true
		}
	}
	return false
}

// globMatch matches s against an IAM resource pattern, where * is any run
// of characters and ? any one.
func globMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globMatch(pattern[1:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && globMatch(pattern[1:], s[1:])
}
