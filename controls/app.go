package controls

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

const appPkg = "constructs/apptier"

// ssmCore is the AWS managed policy Session Manager's agent needs.
const ssmCore = "AmazonSSMManagedInstanceCore"

func appControls() []Control {
	return inSection(LayerApp, appPkg, RoleWorkload, []Control{
		{
			ID: "APP-1", Title: "App instances launch from a template with IMDSv2 required (hop limit 1), encrypted EBS, no key pair, no public IP, detailed monitoring, and Amazon Linux 2023 from its public SSM parameter, and run as the app tier's declared role in its declared security group",
			Frameworks: []string{"FSBP EC2.8", "FSBP EC2.170", "FSBP AutoScaling.3", "FSBP AutoScaling.5", "FSBP EC2.25"},
			Check:      each("AWS::EC2::LaunchTemplate", "no launch template", launchTemplateHardened),
			Compute:    ComputeEC2,
		},
		{
			ID: "APP-2", Title: "The Auto Scaling group, declared the app tier's compute, runs only in private subnets across at least two zones, replaces instances the load balancer finds unhealthy, and its failed launches and terminations reach the alerts topic through EventBridge",
			Frameworks: []string{"FSBP AutoScaling.1", "FSBP AutoScaling.2", "FSBP AutoScaling.9"},
			Check:      each("AWS::AutoScaling::AutoScalingGroup", "no Auto Scaling group", groupInPrivateSubnets),
			Compute:    ComputeEC2,
		},
		{
			ID: "APP-3", Title: "The app tier's role may do exactly the rows of its grant table (constructs/apptier/grants.go: connect to the database as the application's user with IAM authentication, write under the upload prefix of the application bucket, encrypt those objects through S3), plus Session Manager's policy when sessionManager is on; whatever the table says, the role reads no secret, has no wildcard resource, uses S3 and kms:Decrypt only on the application bucket and its key, and writes only under the upload prefix; the stack has no IAM user or access key",
			Frameworks: []string{"FSBP IAM.1", "FSBP IAM.21"},
			Check:      appRoleLeastPrivilege,
		},
		{
			ID: "APP-4", Title: "The application bucket is encrypted with a customer-managed key, blocks all public access, denies requests without TLS, is versioned and logs its access",
			Frameworks: []string{"FSBP S3.5", "FSBP S3.8", "FSBP S3.9", "FSBP S3.17"},
			Check:      appBucketProtected,
		},
		{
			ID: "APP-5", Title: "No secret reaches the instances: user data names no secret and holds no dynamic reference to a secret value; the app logs in to the database as its own user with IAM authentication (APP-3, DB-9)",
			Check:   each("AWS::EC2::LaunchTemplate", "no launch template", noSecretInUserData),
			Compute: ComputeEC2,
		},
		{
			ID: "APP-7", Title: "Every AWS service the app tier's role may call is reachable from the App subnets under the configured egress: through an endpoint in the App subnets (the S3 gateway endpoint, an interface endpoint with private DNS) that admits the app tier's security group by reference and whose policy admits each call, or through the NAT gateways with internetEgress; the database it connects to admits it on its port",
			Layer: LayerNetwork,
			Check: appServicesReachable,
		},
		{
			ID: "APP-6", Title: "The app tier's declared security group admits only the load balancer's security group, on the app port, and sends only HTTPS and PostgreSQL to the database's group",
			Check: appSecurityGroupScoped,
		},
	})
}

// launchTemplateHardened checks that a launch template requires IMDSv2, encrypts its volumes and gives no key pair or public IP.
func launchTemplateHardened(t *Template, f StackFacts, lt Resource) []Failure {
	fails := launchTemplateAccess(lt)
	fails = append(fails, launchTemplateVolumes(lt)...)
	fails = append(fails, launchTemplateIsTheTier(t, lt)...)
	if v, _ := dig(ltData(lt, "Monitoring"), "Enabled"); v != true && v != "true" {
		fails = append(fails, Failure{lt.Path(), "detailed monitoring is off"})
	}
	if p := amiParameter(t, ltData(lt, "ImageId")); !strings.HasPrefix(p, "/aws/service/ami-amazon-linux-latest/al2023-") {
		fails = append(fails, Failure{lt.Path(), "the image is not Amazon Linux 2023's public SSM parameter (" + orNone(p).(string) + ")"})
	}
	return fails
}

// ltData returns the value at path under the launch template's LaunchTemplateData.
func ltData(lt Resource, path ...string) any {
	v, _ := lt.Get(append([]string{"LaunchTemplateData"}, path...)...)
	return v
}

// launchTemplateAccess checks that the launch template requires IMDSv2
// with a hop limit of 1, has no key pair and gives no public IP.
func launchTemplateAccess(lt Resource) []Failure {
	var fails []Failure
	if ltData(lt, "MetadataOptions", "HttpTokens") != "required" {
		fails = append(fails, Failure{lt.Path(), fmt.Sprintf("MetadataOptions.HttpTokens is %v, not required (IMDSv2)", orNone(ltData(lt, "MetadataOptions", "HttpTokens")))})
	}
	if !numberIs(ltData(lt, "MetadataOptions", "HttpPutResponseHopLimit"), 1) {
		fails = append(fails, Failure{lt.Path(), fmt.Sprintf("MetadataOptions.HttpPutResponseHopLimit is %v, not 1", orNone(ltData(lt, "MetadataOptions", "HttpPutResponseHopLimit")))})
	}
	if ltData(lt, "KeyName") != nil {
		fails = append(fails, Failure{lt.Path(), "has a key pair (KeyName); there is no SSH access"})
	}
	for _, ni := range list(ltData(lt, "NetworkInterfaces")) {
		if v, _ := dig(ni, "AssociatePublicIpAddress"); !isFalse(v) {
			fails = append(fails, Failure{lt.Path(), "a network interface does not set AssociatePublicIpAddress false"})
		}
	}
	return fails
}

// launchTemplateVolumes checks that the launch template declares its
// volumes, each encrypted.
func launchTemplateVolumes(lt Resource) []Failure {
	var fails []Failure
	bdms := list(ltData(lt, "BlockDeviceMappings"))
	if len(bdms) == 0 {
		fails = append(fails, Failure{lt.Path(), "does not declare its root volume, so its encryption depends on the account default"})
	}
	for _, b := range bdms {
		if v, _ := dig(b, "Ebs", "Encrypted"); v != true && v != "true" {
			fails = append(fails, Failure{lt.Path(), fmt.Sprintf("volume %v is not encrypted", describeValue(mapOf(b)["DeviceName"]))})
		}
	}
	return fails
}

// groupInPrivateSubnets checks that an Auto Scaling group runs in private subnets of two zones and replaces unhealthy instances.
func groupInPrivateSubnets(t *Template, f StackFacts, g Resource) []Failure {
	var fails []Failure
	azs := map[string]bool{}
	subnets := refsIn(g.Properties()["VPCZoneIdentifier"])
	for _, id := range subnets {
		sn, found := t.Resource(id)
		if !found || subnetTier(sn) != SubnetApp {
			fails = append(fails, Failure{g.Path(), "launches into " + id + ", which is not a private subnet of this stack"})
			continue
		}
		azs[placement(sn)] = true
	}
	if len(azs) < 2 {
		fails = append(fails, Failure{g.Path(), fmt.Sprintf("spans %d zone(s); at least two are required", len(azs))})
	}
	if g.Identity() != IdentityAppCompute {
		fails = append(fails, Failure{g.Path(), "is not declared the app tier's compute (" + IdentityAppCompute + "): constructs/apptier declares the group it builds"})
	}
	if g.String("HealthCheckType") != "ELB" {
		fails = append(fails, Failure{g.Path(), "HealthCheckType is not ELB"})
	}
	if _, ok := g.Get("LaunchConfigurationName"); ok {
		fails = append(fails, Failure{g.Path(), "uses a launch configuration instead of a launch template"})
	}
	if !autoScalingFailuresAlerted(t) {
		fails = append(fails, Failure{g.Path(), "no enabled EventBridge rule sends Auto Scaling's " + strings.Join(AutoScalingFailures, " and ") + " events to an SNS topic of the account"})
	}
	return fails
}

// appRoleLeastPrivilege checks that the app tier's role allows exactly its grant table, which breaks no invariant.
func appRoleLeastPrivilege(t *Template, f StackFacts) []Failure {
	var fails []Failure
	for _, typ := range []string{"AWS::IAM::User", "AWS::IAM::AccessKey"} {
		for _, r := range t.Resources(typ) {
			fails = append(fails, Failure{r.Path(), typ + ": static credentials are not allowed"})
		}
	}
	roles := t.Declared(IdentityAppRole)
	if len(roles) == 0 {
		return append(fails, Failure{"", "no role is declared the app tier's (" + IdentityAppRole + "): constructs/apptier declares it with its grant table"})
	}
	for _, role := range roles {
		fails = append(fails, checkAppRole(t, f, role)...)
	}
	return fails
}

// appBucketProtected checks that the application bucket is encrypted, private, TLS-only and versioned.
func appBucketProtected(t *Template, f StackFacts) []Failure {
	b := appBucket(t)
	if b == nil {
		return []Failure{{"", "no application bucket: the instance role's upload statement names none"}}
	}
	var fails []Failure
	if !bucketEncrypted(t, *b) {
		fails = append(fails, Failure{b.Path(), "is not encrypted with SSE-KMS under a key of this stack"})
	}
	fails = append(fails, publicAccessBlocked(*b)...)
	if !deniesInsecureTransport(t, b.LogicalID) {
		fails = append(fails, Failure{b.Path(), "its policy does not deny requests without TLS (aws:SecureTransport false)"})
	}
	if b.String("VersioningConfiguration", "Status") != "Enabled" {
		fails = append(fails, Failure{b.Path(), "versioning is not Enabled"})
	}
	if _, ok := b.Get("LoggingConfiguration", "DestinationBucketName"); !ok {
		fails = append(fails, Failure{b.Path(), "server access logging is off"})
	}
	return fails
}

// noSecretInUserData checks that no secret reaches the instances through a launch template.
func noSecretInUserData(t *Template, f StackFacts, lt Resource) []Failure {
	v, _ := lt.Get("LaunchTemplateData", "UserData")
	ud := flattenAll(v)
	var fails []Failure
	for _, bad := range []string{"{{resolve:secretsmanager:", "{{resolve:ssm-secure:"} {
		if strings.Contains(ud, bad) {
			fails = append(fails, Failure{lt.Path(), "user data holds a dynamic reference to a secret value (" + bad + "...)"})
		}
	}
	for _, id := range refsIn(v) {
		if r, found := t.Resource(id); found && (r.Type == "AWS::SecretsManager::SecretTargetAttachment" || r.Type == "AWS::SecretsManager::Secret") {
			fails = append(fails, Failure{lt.Path(), "user data names the secret " + r.Path() + ": the app authenticates to the database with IAM and reads no secret"})
		}
	}
	return fails
}

// appSecurityGroupScoped checks that the app tier's security group admits only the load balancer and sends only what the app needs.
func appSecurityGroupScoped(t *Template, f StackFacts) []Failure {
	sgs := appSecurityGroups(t)
	if len(sgs) == 0 {
		return []Failure{{"", "no security group is declared the app tier's (" + IdentityAppSecurityGroup + "): constructs/apptier's DeclareSecurityGroup declares it"}}
	}
	var fails []Failure
	lbSGs := lbSecurityGroups(t)
	for _, id := range sortedKeys(sgs) {
		fails = append(fails, appSecurityGroupRules(t, f, id, lbSGs)...)
	}
	return fails
}

// lbSecurityGroups returns the logical IDs of the load balancers' security groups.
func lbSecurityGroups(t *Template) map[string]bool {
	lbSGs := map[string]bool{}
	for _, lb := range t.Resources("AWS::ElasticLoadBalancingV2::LoadBalancer") {
		for _, id := range refsIn(lb.Properties()["SecurityGroups"]) {
			lbSGs[id] = true
		}
	}
	return lbSGs
}

// appSecurityGroupRules checks that the app instances' security group id
// admits only the load balancers' groups (lbSGs) on the app port, and sends
// only HTTPS and PostgreSQL to a security group.
func appSecurityGroupRules(t *Template, f StackFacts, id string, lbSGs map[string]bool) []Failure {
	var fails []Failure
	sg, _ := t.Resource(id)
	rules := ingressRules(t, id)
	if len(rules) == 0 {
		fails = append(fails, Failure{sg.Path(), "admits nothing, so the load balancer cannot reach the app"})
	}
	for _, r := range rules {
		if r.source == "" || !lbSGs[r.source] || !r.allowsOnly(f.AppPort) {
			fails = append(fails, Failure{r.path, fmt.Sprintf("admits %s; only the load balancer's security group on port %d is allowed", r.String(), f.AppPort)})
		}
	}
	for _, e := range egressDetails(t, id) {
		if !(e.allowsOnly(443) || (e.allowsOnly(f.DBPort) && e.source != "")) {
			fails = append(fails, Failure{sg.Path(), "allows egress of " + e.String()})
		}
	}
	return fails
}

// AutoScalingFailures are the EventBridge detail types of Auto Scaling's
// failed launches and terminations (EventBridge events reference, Auto
// Scaling), which constructs/alerts routes to the alerts topic.
var AutoScalingFailures = []string{"EC2 Instance Launch Unsuccessful", "EC2 Instance Terminate Unsuccessful"}

// autoScalingFailuresAlerted: an enabled rule matches every failure detail
// type from aws.autoscaling and targets a topic.
func autoScalingFailuresAlerted(t *Template) bool {
	for _, r := range t.Resources("AWS::Events::Rule") {
		if r.String("State") == "DISABLED" || !targetsTopic(t, r) {
			continue
		}
		p := mapOf(r.Properties()["EventPattern"])
		if !strings.Contains(jsonText(p["source"]), `"aws.autoscaling"`) {
			continue
		}
		types := jsonText(p["detail-type"])
		all := true
		for _, d := range AutoScalingFailures {
			all = all && strings.Contains(types, `"`+d+`"`)
		}
		if all {
			return true
		}
	}
	return false
}

// amiParameter returns the SSM parameter name an ImageId resolves from.
func amiParameter(t *Template, imageID any) string {
	id, ok := RefTarget(imageID)
	if !ok {
		return ""
	}
	p, _ := dig(t.Body, "Parameters", id)
	if typ, _ := dig(p, "Type"); typ != "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>" {
		return ""
	}
	def, _ := dig(p, "Default")
	s, _ := def.(string)
	return s
}

// launchTemplateRoles returns the logical IDs of the roles of a launch
// template's instance profile.
func launchTemplateRoles(t *Template, lt Resource) []string {
	var out []string
	v, _ := lt.Get("LaunchTemplateData", "IamInstanceProfile")
	for _, pid := range refsIn(v) {
		p, found := t.Resource(pid)
		if !found || p.Type != "AWS::IAM::InstanceProfile" {
			out = append(out, pid)
			continue
		}
		out = append(out, refsIn(p.Properties()["Roles"])...)
	}
	return out
}

// appSecurityGroups returns the logical IDs of the security groups declared
// the app tier's.
func appSecurityGroups(t *Template) map[string]bool {
	sgs := map[string]bool{}
	for _, sg := range t.Declared(IdentityAppSecurityGroup) {
		sgs[sg.LogicalID] = true
	}
	return sgs
}

// sortedKeys returns the keys of a set, sorted.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// grant is one permission in a normal form: action, resource and condition.
type grant struct{ action, resource, condition string }

// checkAppRole checks that the app tier's role has only the app's policies and grants (failures sorted by reason).
func checkAppRole(t *Template, f StackFacts, role Resource) []Failure {
	fails := instanceRoleManaged(f, role)
	fails = append(fails, instanceRoleGrants(t, f, role)...)
	sort.Slice(fails, func(i, j int) bool { return fails[i].Reason < fails[j].Reason })
	return fails
}

// instanceRoleManaged checks that the instance role has no inline policy
// and no managed policy but Session Manager's, when sessionManager is on.
func instanceRoleManaged(f StackFacts, role Resource) []Failure {
	var fails []Failure
	if _, ok := role.Get("Policies"); ok {
		fails = append(fails, Failure{role.Path(), "has inline policies"})
	}
	wantManaged := map[string]bool{}
	if f.SessionManager {
		wantManaged[ssmCore] = true
	}
	for _, m := range list(role.Properties()["ManagedPolicyArns"]) {
		name := flatten(m)
		name = name[strings.LastIndex(name, "/")+1:]
		if !wantManaged[name] {
			fails = append(fails, Failure{role.Path(), "has the managed policy " + flatten(m)})
		}
		delete(wantManaged, name)
	}
	for name := range wantManaged {
		fails = append(fails, Failure{role.Path(), "lacks " + name + " (sessionManager is on)"})
	}
	return fails
}

// grantTable names, in failures, where the app tier's permissions are
// written.
const grantTable = "the app tier's grant table (Grants in constructs/apptier/grants.go)"

// instanceRoleGrants checks that the role's policies allow exactly the rows
// of its grant table, and that they break no invariant.
func instanceRoleGrants(t *Template, f StackFacts, role Resource) []Failure {
	want, fails := tableGrants(f, role)
	statements := rolePolicyStatements(t, role)
	for _, s := range statements {
		if !s.Allows() {
			continue
		}
		for _, a := range s.Actions {
			for _, r := range s.Resources {
				g := grant{a, flatten(r), conditionText(s)}
				if _, ok := want[g]; !ok {
					when := ""
					if g.condition != "" {
						when = " when " + g.condition
					}
					fails = append(fails, Failure{role.Path(), fmt.Sprintf("is allowed %s on %s%s, which is not a row of %s, from which its policy is built: add the row there", a, g.resource, when, grantTable)})
					continue
				}
				want[g] = true
			}
		}
	}
	for g, seen := range want {
		if !seen {
			fails = append(fails, Failure{role.Path(), fmt.Sprintf("lacks %s on %s, a row of %s", g.action, g.resource, grantTable)})
		}
	}
	return append(fails, grantInvariants(t, f, role, statements)...)
}

// tableGrants returns the grants of the role's grant table (GrantsKey), none
// seen yet; a table that cannot be read fails.
func tableGrants(f StackFacts, role Resource) (map[grant]bool, []Failure) {
	raw, ok := dig(role.Raw, "Metadata", GrantsKey)
	rows, isList := raw.([]any)
	if !ok || !isList || len(rows) == 0 {
		return map[grant]bool{}, []Failure{{role.Path(), "carries no grant table (" + GrantsKey + " metadata): constructs/apptier records " + grantTable + " on the role whose policy it builds from it"}}
	}
	want := map[grant]bool{}
	var fails []Failure
	for i, row := range rows {
		var g TierGrant
		if b, err := json.Marshal(row); err != nil || json.Unmarshal(b, &g) != nil || g.Service == "" || len(g.Actions) == 0 || g.Resource == nil {
			fails = append(fails, Failure{role.Path(), fmt.Sprintf("row %d of its grant table is not a grant (Service, Actions, Resource): %s", i+1, jsonText(row))})
			continue
		}
		cond := ""
		if g.Via != "" {
			cond = "StringEquals kms:ViaService=" + g.Via + "." + f.Region + ".amazonaws.com"
		}
		for _, a := range g.Actions {
			want[grant{a, flatten(g.Resource), cond}] = false
		}
	}
	return want, fails
}

// rolePolicyStatements returns every statement of the policies (inline
// AWS::IAM::Policy and customer-managed AWS::IAM::ManagedPolicy) attached to
// the role.
func rolePolicyStatements(t *Template, role Resource) []Statement {
	var out []Statement
	for _, typ := range []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"} {
		for _, p := range t.Resources(typ) {
			if refersTo(p.Properties()["Roles"], role.LogicalID) {
				out = append(out, Statements(p.Properties()["PolicyDocument"])...)
			}
		}
	}
	for _, p := range list(role.Properties()["ManagedPolicyArns"]) {
		if id, ok := RefTarget(p); ok {
			if mp, found := t.Resource(id); found && mp.Type == "AWS::IAM::ManagedPolicy" && !refersTo(mp.Properties()["Roles"], role.LogicalID) {
				out = append(out, Statements(mp.Properties()["PolicyDocument"])...)
			}
		}
	}
	return out
}

func conditionText(s Statement) string {
	var parts []string
	for op, kv := range s.Conditions {
		for k, v := range kv {
			parts = append(parts, fmt.Sprintf("%s %s=%s", op, k, flattenAll(v)))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// appDatabaseUserARN is the IAM database-authentication ARN of the
// application's database user (StackFacts.DBAppUser) on the database of the
// account's templates.
func appDatabaseUserARN(t *Template, f StackFacts) string {
	for _, db := range t.Resources("AWS::RDS::DBInstance") {
		return fmt.Sprintf("arn:aws:rds-db:%s:%s:dbuser:{%s.DbiResourceId}/%s", f.Region, f.WorkloadAccount, db.LogicalID, f.DBAppUser)
	}
	return "(no database)"
}

// appBucket is the application bucket, as its construct declares it
// (IdentityApplicationBucket).
func appBucket(t *Template) *Resource {
	for _, b := range t.Declared(IdentityApplicationBucket) {
		return &b
	}
	return nil
}

func publicAccessBlocked(b Resource) []Failure {
	var fails []Failure
	for _, s := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if !b.Bool("PublicAccessBlockConfiguration", s) {
			fails = append(fails, Failure{b.Path(), s + " is not true"})
		}
	}
	return fails
}

func deniesInsecureTransport(t *Template, bucketID string) bool {
	for _, s := range bucketPolicy(t, bucketID) {
		if s.Effect == "Deny" && s.AnyPrincipal() && s.ConditionEquals("Bool", "aws:SecureTransport", "false") {
			return true
		}
	}
	return false
}

// flattenAll renders a value, resolving Fn::Join and Fn::Base64 and keeping
// references as {ID} markers.
func flattenAll(v any) string {
	if m, ok := v.(map[string]any); ok {
		if b, ok := m["Fn::Base64"]; ok {
			return flattenAll(b)
		}
	}
	return flatten(v)
}

// egressDetails returns the egress rules of a security group as rules.
func egressDetails(t *Template, sgID string) []rule {
	var out []rule
	sg, _ := t.Resource(sgID)
	for _, e := range list(sg.Properties()["SecurityGroupEgress"]) {
		m, _ := e.(map[string]any)
		out = append(out, parseEgress(sg.Path(), m))
	}
	for _, e := range t.Resources("AWS::EC2::SecurityGroupEgress") {
		if id, ok := RefTarget(e.Properties()["GroupId"]); ok && id == sgID {
			out = append(out, parseEgress(e.Path(), e.Properties()))
		}
	}
	return out
}

func parseEgress(path string, m map[string]any) rule {
	r := parseRule(path, map[string]any{"IpProtocol": m["IpProtocol"], "FromPort": m["FromPort"], "ToPort": m["ToPort"],
		"CidrIp": m["CidrIp"], "CidrIpv6": m["CidrIpv6"], "SourcePrefixListId": m["DestinationPrefixListId"], "SourceSecurityGroupId": m["DestinationSecurityGroupId"]})
	if r.cidr == "an unknown source" {
		r.cidr = "an unknown destination"
	}
	r.egress = true
	return r
}

// launchTemplateSGs are the security groups a launch template gives its
// instances.
func launchTemplateSGs(lt Resource) []string {
	v, _ := lt.Get("LaunchTemplateData")
	return append(refsIn(mapOf(v)["NetworkInterfaces"]), refsIn(mapOf(v)["SecurityGroupIds"])...)
}

// launchTemplateIsTheTier checks that a launch template's instances are the
// declared app tier: they run as its role, in its security groups, so that
// APP-3, APP-6 and APP-7 check what they run with.
func launchTemplateIsTheTier(t *Template, lt Resource) []Failure {
	var fails []Failure
	roles := map[string]bool{}
	for _, r := range t.Declared(IdentityAppRole) {
		roles[r.LogicalID] = true
	}
	ltRoles := launchTemplateRoles(t, lt)
	if len(ltRoles) == 0 {
		fails = append(fails, Failure{lt.Path(), "gives its instances no role of this account's templates; they must run as the app tier's (" + IdentityAppRole + ")"})
	}
	for _, id := range ltRoles {
		if !roles[id] {
			fails = append(fails, Failure{lt.Path(), "its instances run as " + id + ", which is not declared the app tier's role (" + IdentityAppRole + "), so APP-3 does not check it"})
		}
	}
	sgs := appSecurityGroups(t)
	ltSGs := launchTemplateSGs(lt)
	if len(ltSGs) == 0 {
		fails = append(fails, Failure{lt.Path(), "gives its instances no security group of this account's templates"})
	}
	for _, id := range ltSGs {
		if !sgs[id] {
			fails = append(fails, Failure{lt.Path(), "puts its instances in security group " + id + ", which is not declared the app tier's (" + IdentityAppSecurityGroup + "), so APP-6 does not check it"})
		}
	}
	return fails
}
