package controls

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

const edgePkg = "constructs/edge"

// reTLS13Policy matches the load balancer security policies that negotiate
// TLS 1.3 and nothing older than TLS 1.2, without the "Ext" variants that
// add legacy ciphers.
var reTLS13Policy = regexp.MustCompile(`^ELBSecurityPolicy-TLS13-1-[23]-(Res-)?(FIPS-)?(PQ-)?20[0-9]{2}-[0-9]{2}$`)

// wafManagedGroups are the AWS managed rule groups the web ACL must run.
var wafManagedGroups = []string{
	"AWSManagedRulesAmazonIpReputationList",
	"AWSManagedRulesCommonRuleSet",
	"AWSManagedRulesKnownBadInputsRuleSet",
	"AWSManagedRulesSQLiRuleSet",
}

func edgeControls() []Control {
	return inSection(LayerTLS, edgePkg, RoleWorkload, []Control{
		{
			ID: "EDGE-1", Title: "The load balancer is internet-facing in the public subnets only; its security group admits 443 and 80 and nothing else, and sends only to the app tier on the app port",
			Check: each("AWS::ElasticLoadBalancingV2::LoadBalancer", "no load balancer", lbInternetFacing),
		},
		{
			ID: "EDGE-2", Title: "The load balancer serves HTTPS on 443 with an ACM certificate for the configured domain and a TLS 1.3 security policy, and HTTP on 80 only as a redirect to HTTPS",
			Frameworks: []string{"FSBP ELB.1", "FSBP ELB.2", "FSBP ELB.17"},
			Check:      each("AWS::ElasticLoadBalancingV2::LoadBalancer", "no load balancer", lbHTTPS),
		},
		{
			ID: "EDGE-3", Title: "The load balancer drops invalid header fields, uses the strictest desync mitigation, has deletion protection in production, and writes access logs to an SSE-S3, non-public, TLS-only bucket that expires them",
			Frameworks: []string{"FSBP ELB.4", "FSBP ELB.5", "FSBP ELB.6", "FSBP ELB.12"},
			Check:      each("AWS::ElasticLoadBalancingV2::LoadBalancer", "no load balancer", lbHardened),
		},
		{
			ID: "EDGE-4", Title: "The load balancer forwards only to the app tier's declared compute, over HTTPS, and checks its health over HTTPS",
			Check: each("AWS::ElasticLoadBalancingV2::TargetGroup", "no target group", targetOverHTTPS),
		},
		{
			ID: "EDGE-5", Title: "A WAF web ACL on the load balancer blocks by the AWS managed rule groups (common, known bad inputs, SQL injection, Amazon IP reputation) and a per-IP rate limit, and logs to an encrypted log group with the configured retention, with the authorization and cookie headers redacted",
			Frameworks: []string{"FSBP ELB.16", "FSBP WAF.11", "FSBP WAF.12"},
			Check:      each("AWS::ElasticLoadBalancingV2::LoadBalancer", "no load balancer", lbBehindWAF),
		},
		{
			ID: "ALERT-1", Title: "Each account's alerts topic is encrypted with a customer-managed key, refuses publishing without TLS, and e-mails alertEmail when it is set",
			Layer: LayerAudit, Construct: "constructs/alerts", Role: RoleAccount,
			Frameworks: []string{"FSBP SNS.1"},
			Check:      each("AWS::SNS::Topic", "no alerts topic", alertsTopicProtected),
		},
	})
}

// lbInternetFacing checks that a load balancer is internet-facing in public subnets and its security group admits only 443 and 80.
func lbInternetFacing(t *Template, f StackFacts, lb Resource) []Failure {
	var fails []Failure
	if lb.String("Scheme") != "internet-facing" {
		fails = append(fails, Failure{lb.Path(), "is not internet-facing"})
	}
	for _, id := range refsIn(lb.Properties()["Subnets"]) {
		if sn, found := t.Resource(id); !found || subnetTier(sn) != SubnetPublic {
			fails = append(fails, Failure{lb.Path(), "is placed in " + id + ", not a public subnet"})
		}
	}
	sgs := refsIn(lb.Properties()["SecurityGroups"])
	if len(sgs) == 0 {
		fails = append(fails, Failure{lb.Path(), "has no security group of this stack"})
	}
	app := appSecurityGroups(t)
	for _, id := range sgs {
		for _, r := range ingressRules(t, id) {
			if !(r.allowsOnly(443) || r.allowsOnly(80)) {
				fails = append(fails, Failure{r.path, "admits " + r.String() + "; only 443, and 80 for the redirect"})
			}
		}
		for _, e := range egressDetails(t, id) {
			if !app[e.source] || !e.allowsOnly(f.AppPort) {
				fails = append(fails, Failure{e.path, fmt.Sprintf("allows egress of %s; only the app tier's security group (%s) on port %d", e.String(), IdentityAppSecurityGroup, f.AppPort)})
			}
		}
	}
	return fails
}

// lbHTTPS checks that the load balancer serves HTTPS with the domain's certificate and TLS 1.3, and redirects HTTP.
func lbHTTPS(t *Template, f StackFacts, lb Resource) []Failure {
	var fails []Failure
	https, http := 0, 0
	for _, l := range t.Resources("AWS::ElasticLoadBalancingV2::Listener") {
		if id, ok := RefTarget(l.Properties()["LoadBalancerArn"]); !ok || id != lb.LogicalID {
			continue
		}
		switch {
		case isListener(l, "HTTPS", 443):
			https++
		case isListener(l, "HTTP", 80):
			http++
		}
		fails = append(fails, listenerFailures(t, f, l)...)
	}
	for _, r := range t.Resources("AWS::ElasticLoadBalancingV2::ListenerRule") {
		fails = append(fails, Failure{r.Path(), "a listener rule; the listeners' default actions are the whole routing"})
	}
	if https != 1 {
		fails = append(fails, Failure{lb.Path(), fmt.Sprintf("%d HTTPS listener(s) on 443; exactly one is required", https)})
	}
	if http > 1 {
		fails = append(fails, Failure{lb.Path(), "more than one HTTP listener"})
	}
	if f.HostedZoneID != "" && !aliasTo(t, f, lb) {
		fails = append(fails, Failure{lb.Path(), fmt.Sprintf("no alias record %s. in hosted zone %s points at it", f.DomainName, f.HostedZoneID)})
	}
	return fails
}

// isListener reports whether the listener serves protocol on port.
func isListener(l Resource, protocol string, port int) bool {
	return l.String("Protocol") == protocol && numberIs(l.Properties()["Port"], port)
}

// listenerFailures checks one listener: HTTPS 443 with a TLS 1.3 policy and
// the domain's certificate, or HTTP 80 that redirects to HTTPS.
func listenerFailures(t *Template, f StackFacts, l Resource) []Failure {
	var fails []Failure
	switch {
	case isListener(l, "HTTPS", 443):
		if p := l.String("SslPolicy"); !reTLS13Policy.MatchString(p) {
			fails = append(fails, Failure{l.Path(), fmt.Sprintf("SslPolicy is %v; a TLS 1.3 policy with TLS 1.2 or later only (ELBSecurityPolicy-TLS13-1-2-2021-06 or stricter) is required", orNone(p))})
		}
		fails = append(fails, checkCertificates(t, f, l)...)
	case isListener(l, "HTTP", 80):
		for _, a := range list(l.Properties()["DefaultActions"]) {
			typ, _ := dig(a, "Type")
			proto, _ := dig(a, "RedirectConfig", "Protocol")
			if typ != "redirect" || proto != "HTTPS" {
				fails = append(fails, Failure{l.Path(), fmt.Sprintf("the HTTP listener's action is %v, not a redirect to HTTPS", typ)})
			}
		}
	default:
		fails = append(fails, Failure{l.Path(), fmt.Sprintf("a listener on %v %v; only HTTPS 443 and the HTTP 80 redirect are allowed", orNone(l.Properties()["Protocol"]), orNone(l.Properties()["Port"]))})
	}
	return fails
}

// lbHardened checks that a load balancer drops invalid headers, mitigates desync, and logs its access.
func lbHardened(t *Template, f StackFacts, lb Resource) []Failure {
	attrs := map[string]string{}
	for _, a := range list(lb.Properties()["LoadBalancerAttributes"]) {
		k, _ := dig(a, "Key")
		v, _ := dig(a, "Value")
		attrs[fmt.Sprint(k)] = flatten(v)
	}
	want := map[string]string{
		"routing.http.drop_invalid_header_fields.enabled": "true",
		"routing.http.desync_mitigation_mode":             "strictest",
		"access_logs.s3.enabled":                          "true",
	}
	if f.Profile == "production" {
		want["deletion_protection.enabled"] = "true"
	}
	var fails []Failure
	for k, v := range want {
		if attrs[k] != v {
			fails = append(fails, Failure{lb.Path(), fmt.Sprintf("%s is %s, not %s", k, orNone(attrs[k]), v)})
		}
	}
	bucketID := strings.Trim(attrs["access_logs.s3.bucket"], "{}")
	b, found := t.Resource(bucketID)
	if !found || b.Type != "AWS::S3::Bucket" {
		return append(fails, Failure{lb.Path(), "its access logs do not go to a bucket of this stack"})
	}
	return append(fails, lbLogBucketFailures(t, b)...)
}

// lbLogBucketFailures checks that the load balancer's log bucket is
// encrypted with SSE-S3, private, TLS-only and expires the logs.
func lbLogBucketFailures(t *Template, b Resource) []Failure {
	var fails []Failure
	if !sseS3(b) {
		fails = append(fails, Failure{b.Path(), "is not encrypted with SSE-S3, the only encryption load balancer log delivery supports"})
	}
	fails = append(fails, publicAccessBlocked(b)...)
	if !deniesInsecureTransport(t, b.LogicalID) {
		fails = append(fails, Failure{b.Path(), "its policy does not deny requests without TLS"})
	}
	expires := false
	for _, r := range list(mapOf(b.Properties()["LifecycleConfiguration"])["Rules"]) {
		if st, _ := dig(r, "Status"); st == "Enabled" {
			if d, _ := dig(r, "ExpirationInDays"); d != nil {
				expires = true
			}
		}
	}
	if !expires {
		fails = append(fails, Failure{b.Path(), "no enabled lifecycle rule expires the logs"})
	}
	return fails
}

// targetOverHTTPS checks that a target group forwards and checks health over HTTPS, on the app port.
func targetOverHTTPS(t *Template, f StackFacts, tg Resource) []Failure {
	var fails []Failure
	if tg.String("Protocol") != "HTTPS" {
		fails = append(fails, Failure{tg.Path(), fmt.Sprintf("Protocol is %v, not HTTPS", orNone(tg.Properties()["Protocol"]))})
	}
	if tg.String("HealthCheckProtocol") != "HTTPS" {
		fails = append(fails, Failure{tg.Path(), fmt.Sprintf("HealthCheckProtocol is %v, not HTTPS", orNone(tg.Properties()["HealthCheckProtocol"]))})
	}
	if !numberIs(tg.Properties()["Port"], f.AppPort) {
		fails = append(fails, Failure{tg.Path(), fmt.Sprintf("Port is %v, not the app port %d", orNone(tg.Properties()["Port"]), f.AppPort)})
	}
	if !computeTargetGroups(t)[tg.LogicalID] {
		fails = append(fails, Failure{tg.Path(), "the app tier's compute (" + IdentityAppCompute + ") does not register with it, so it forwards to something else"})
	}
	return fails
}

// computeTargetGroups returns the target groups that the app tier's
// declared compute registers with, as its kind spells it: an Auto Scaling
// group's TargetGroupARNs (ComputeEC2).
func computeTargetGroups(t *Template) map[string]bool {
	out := map[string]bool{}
	for _, c := range t.Declared(IdentityAppCompute) {
		if c.Type == "AWS::AutoScaling::AutoScalingGroup" {
			for _, id := range refsIn(c.Properties()["TargetGroupARNs"]) {
				out[id] = true
			}
		}
	}
	return out
}

// lbBehindWAF checks that a WAF web ACL with the managed rule groups protects a load balancer and logs.
func lbBehindWAF(t *Template, f StackFacts, lb Resource) []Failure {
	acl := webACLOf(t, lb)
	if acl == nil {
		return []Failure{{lb.Path(), "no web ACL of this stack is associated with it"}}
	}
	var fails []Failure
	if acl.String("Scope") != "REGIONAL" {
		fails = append(fails, Failure{acl.Path(), "Scope is not REGIONAL"})
	}
	fails = append(fails, webACLRules(*acl)...)
	return append(fails, webACLLogging(t, f, *acl)...)
}

// webACLOf returns the web ACL of this stack associated with the load balancer.
func webACLOf(t *Template, lb Resource) *Resource {
	var acl *Resource
	for _, a := range t.Resources("AWS::WAFv2::WebACLAssociation") {
		if refersTo(a.Properties()["ResourceArn"], lb.LogicalID) {
			if id, ok := RefTarget(a.Properties()["WebACLArn"]); ok {
				if r, found := t.Resource(id); found && r.Type == "AWS::WAFv2::WebACL" {
					acl = &r
				}
			}
		}
	}
	return acl
}

// webACLRules checks that the web ACL blocks by every managed rule group
// and by a rate-based rule.
func webACLRules(acl Resource) []Failure {
	var fails []Failure
	groups, rate := map[string]bool{}, false
	for _, r := range list(acl.Properties()["Rules"]) {
		name, _ := dig(r, "Statement", "ManagedRuleGroupStatement", "Name")
		vendor, _ := dig(r, "Statement", "ManagedRuleGroupStatement", "VendorName")
		if name != nil && vendor == "AWS" {
			if _, count := dig(r, "OverrideAction", "Count"); count {
				fails = append(fails, Failure{acl.Path(), fmt.Sprintf("%v only counts; it must block", name)})
				continue
			}
			groups[fmt.Sprint(name)] = true
		}
		if _, ok := dig(r, "Statement", "RateBasedStatement", "Limit"); ok {
			if _, block := dig(r, "Action", "Block"); block {
				rate = true
			}
		}
	}
	for _, g := range wafManagedGroups {
		if !groups[g] {
			fails = append(fails, Failure{acl.Path(), "does not run " + g})
		}
	}
	if !rate {
		fails = append(fails, Failure{acl.Path(), "has no rate-based rule that blocks"})
	}
	return fails
}

// webACLLogging checks that the web ACL logs, with credentials redacted,
// to an encrypted and retained log group of this stack.
func webACLLogging(t *Template, f StackFacts, acl Resource) []Failure {
	var fails []Failure
	logged := false
	for _, lc := range t.Resources("AWS::WAFv2::LoggingConfiguration") {
		if id, ok := RefTarget(lc.Properties()["ResourceArn"]); !ok || id != acl.LogicalID {
			continue
		}
		redacted := strings.ToLower(jsonText(lc.Properties()["RedactedFields"]))
		for _, h := range []string{"authorization", "cookie"} {
			if !strings.Contains(redacted, `{"singleheader":{"name":"`+h+`"}}`) {
				fails = append(fails, Failure{lc.Path(), "the WAF log does not redact the " + h + " header, so it would store credentials"})
			}
		}
		for _, d := range list(lc.Properties()["LogDestinationConfigs"]) {
			dest := flatten(d)
			i := strings.Index(dest, ":log-group:")
			if i < 0 {
				continue
			}
			name := dest[i+len(":log-group:"):]
			if g := logGroupNamed(t, name); g != nil {
				logged = true
				fails = append(fails, encryptedLogGroup(t, *g, f.LogRetentionDays)...)
			}
		}
	}
	if !logged {
		fails = append(fails, Failure{acl.Path(), "does not log to a log group of this stack"})
	}
	return fails
}

// alertsTopicProtected checks that an alerts topic is encrypted, TLS-only and e-mails alertEmail.
func alertsTopicProtected(t *Template, f StackFacts, tp Resource) []Failure {
	var fails []Failure
	if !isStackKey(t, tp.Properties()["KmsMasterKeyId"]) {
		fails = append(fails, Failure{tp.Path(), "is not encrypted with a customer-managed key of this stack"})
	}
	if !topicDeniesInsecure(t, tp) {
		fails = append(fails, Failure{tp.Path(), "its policy does not deny publishing without TLS"})
	}
	email := false
	for _, s := range t.Resources("AWS::SNS::Subscription") {
		if refersTo(s.Properties()["TopicArn"], tp.LogicalID) && s.String("Protocol") == "email" {
			email = true
		}
	}
	if f.AlertEmail && !email {
		fails = append(fails, Failure{tp.Path(), "alertEmail is set but has no e-mail subscription"})
	}
	return fails
}

// topicDeniesInsecure reports whether a policy of the topic denies
// requests without TLS.
func topicDeniesInsecure(t *Template, tp Resource) bool {
	for _, p := range t.Resources("AWS::SNS::TopicPolicy") {
		if !refersTo(p.Properties()["Topics"], tp.LogicalID) {
			continue
		}
		for _, s := range Statements(p.Properties()["PolicyDocument"]) {
			if s.Effect == "Deny" && s.ConditionEquals("Bool", "aws:SecureTransport", "false") {
				return true
			}
		}
	}
	return false
}

func sseS3(b Resource) bool {
	enc, _ := b.Get("BucketEncryption", "ServerSideEncryptionConfiguration")
	for _, r := range list(enc) {
		if alg, _ := dig(r, "ServerSideEncryptionByDefault", "SSEAlgorithm"); alg == "AES256" {
			return true
		}
	}
	return false
}

// checkCertificates checks that an HTTPS listener's certificate is an ACM
// certificate for the configured domain: issued by this stack with DNS
// validation, or imported from the workload account and region.
func checkCertificates(t *Template, f StackFacts, l Resource) []Failure {
	certs := list(l.Properties()["Certificates"])
	if len(certs) == 0 {
		return []Failure{{l.Path(), "has no certificate"}}
	}
	var fails []Failure
	for _, c := range certs {
		arn, _ := dig(c, "CertificateArn")
		if id, ok := RefTarget(arn); ok {
			r, found := t.Resource(id)
			switch {
			case !found || r.Type != "AWS::CertificateManager::Certificate":
				fails = append(fails, Failure{l.Path(), "its certificate is not an ACM certificate of this stack"})
			case r.String("ValidationMethod") != "DNS":
				fails = append(fails, Failure{r.Path(), "is not DNS-validated"})
			case r.String("DomainName") != f.DomainName:
				fails = append(fails, Failure{r.Path(), fmt.Sprintf("covers %s, not the configured domain %s", r.String("DomainName"), f.DomainName)})
			case f.HostedZoneID != "" && !strings.Contains(jsonText(r.Properties()["DomainValidationOptions"]), `"`+f.HostedZoneID+`"`):
				fails = append(fails, Failure{r.Path(), "is not validated through hosted zone " + f.HostedZoneID})
			}
			continue
		}
		s := flatten(arn)
		if !strings.HasPrefix(s, "arn:") || !strings.Contains(s, ":acm:"+f.Region+":"+f.WorkloadAccount+":certificate/") {
			fails = append(fails, Failure{l.Path(), "its certificate " + s + " is not an ACM certificate of the workload account in " + f.Region})
		}
	}
	return fails
}

// aliasTo reports whether the configured hosted zone holds an alias record
// for the domain that points at the load balancer.
func aliasTo(t *Template, f StackFacts, lb Resource) bool {
	for _, r := range t.Resources("AWS::Route53::RecordSet") {
		dns, _ := r.Get("AliasTarget", "DNSName")
		if r.String("HostedZoneId") == f.HostedZoneID && strings.TrimSuffix(r.String("Name"), ".") == f.DomainName && refersTo(dns, lb.LogicalID) {
			return true
		}
	}
	return false
}

// jsonText renders v as compact JSON, without escaping <, > and &.
func jsonText(v any) string {
	var b strings.Builder
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(v) // a decoded template value always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
