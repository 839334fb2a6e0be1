package controls

import (
	"fmt"
	"slices"
	"strings"
)

// LayerLifecycle is not a layer of the architecture: it is what makes the other
// layers deployable, from a first create to a redeploy after teardown.
const LayerLifecycle = "Lifecycle"

// namingProperties are the properties that fix a resource's name, by type.
var namingProperties = map[string]string{
	"AWS::S3::Bucket":             "BucketName",
	"AWS::Logs::LogGroup":         "LogGroupName",
	"AWS::RDS::DBInstance":        "DBInstanceIdentifier",
	"AWS::SecretsManager::Secret": "Name",
	"AWS::KMS::Alias":             "AliasName",
	"AWS::SNS::Topic":             "TopicName",
	"AWS::IAM::Role":              "RoleName",
	"AWS::DynamoDB::Table":        "TableName",
}

// singletons are the resources of which an account holds one per region:
// a second one fails the deployment. Each follows detectionServices.
var singletons = []struct {
	typ, name string
	is        func(Resource) bool
}{
	{"AWS::GuardDuty::Detector", "GuardDuty detector", nil},
	{"AWS::SecurityHub::Hub", "Security Hub", nil},
	{"AWS::Config::ConfigurationRecorder", "AWS Config recorder", nil},
	{"AWS::Config::DeliveryChannel", "AWS Config delivery channel", nil},
	{"AWS::AccessAnalyzer::Analyzer", "account IAM Access Analyzer", func(r Resource) bool { return r.String("Type") == "ACCOUNT" }},
}

// statelessTypes make up the stateless tier; statefulTypes hold data. No
// stack holds both a database and a stateless resource, and the service
// stack holds no stateful one.
var (
	statelessTypes = []string{"AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::LaunchTemplate", "AWS::CertificateManager::Certificate", "AWS::WAFv2::WebACL"}
	dataTypes      = []string{"AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::S3::Bucket", "AWS::SecretsManager::Secret", "AWS::DynamoDB::Table", "AWS::EFS::FileSystem"}
)

func lifecycleControls() []Control {
	cs := []Control{
		{
			ID: "LIFE-1", Title: "A failed first deployment leaves nothing behind and a redeploy does not collide: every retained resource is RetainExceptOnCreate, and none has a fixed name unless another account names it",
			Construct: "constructs/*", Role: RoleAny,
			Check: firstDeployClean,
		},
		{
			ID: "LIFE-2", Title: "Each per-account-and-region singleton (GuardDuty detector, Security Hub, AWS Config recorder and delivery channel, account IAM Access Analyzer) exists exactly once when detectionServices is on, and not at all when it is off",
			Construct: "constructs/detection", Role: RoleRegion,
			Check: singletonsOnce,
		},
		{
			ID: "LIFE-3", Title: "Resources are created in the order their services require (DependsOn and references, transitively, and stack order): Config rules after the recorder; the recorder and its delivery channel after the bucket policy and never after each other; Security Hub standards after the hub; the buckets that start receiving deliveries after what may fail late in their stack (Config's after the singletons, the data stack's after the database); the load balancer after its access-log bucket policy; flow logs and the trail after their roles' policies; WAF logging after its log group",
			Construct: "stacks", Role: RoleWorkload,
			Check: creationOrdered,
		},
		{
			ID: "LIFE-4", Title: "Every AWS service that writes into an encrypted destination can use its key as the principal it writes as: alarms and EventBridge rules into the encrypted topics, CloudWatch Logs into its log groups, Config into its bucket; Auto Scaling notifies no encrypted topic (its service-linked role cannot be granted a key), and S3 and load balancer log delivery write to SSE-S3 buckets",
			Construct: "constructs/*", Role: RoleWorkload,
			Check: writersMayUseKeys,
		},
		{
			ID: "LIFE-5", Title: "State and the stateless tier live in separate stacks: no stack holds a database with a load balancer, instances, a certificate or a web ACL; the service stack holds no data (database, bucket, secret) and, in the sandbox profile, no deletion-protected load balancer, so it can be destroyed, redeployed or rolled back without touching the data",
			Construct: "stacks", Role: RoleAny,
			Check: stateSeparated,
		},
		{
			ID: "LIFE-6", Title: "Nothing a service makes outside the template lives in a VPC the template owns: every VPC declares its own GuardDuty runtime monitoring endpoint (guardduty-data, private DNS, in every App subnet, HTTPS from the app tier's security group only, only this account's principals), which GuardDuty reuses instead of creating an endpoint and a security group that would keep cdk destroy from deleting the VPC",
			Construct: "constructs/network", Role: RoleWorkload,
			Check: each("AWS::EC2::VPC", "", vpcOwnsGuardDutyEndpoint),
		},
		{
			ID: "LIFE-7", Title: "An unattended deployment never waits for a person: with the GitHub deploy role (githubRepository), every certificate the Service stack issues is validated through a Route 53 hosted zone (hostedZoneId), or an existing certificate (certificateArn) is used; without, ACM's DNS validation holds the stack until someone creates a record by hand",
			Construct: "constructs/edge", Role: RoleWorkload,
			Check: unattendedCertificates,
		},
		{
			ID: "LIFE-8", Title: "A failed first create rolls back past every bucket that receives deliveries while its stack is being created (AWS Config's, a trail's, one that receives server or load balancer access logs): each has a Custom::EmptyOnRollback, created after it and before its bucket policy, which empties it only in that rollback, while the bucket's policy, deleted first in that rollback, denies the emptier's role every deletion until then; and none has Object Lock, whose objects no one could remove",
			Construct: "constructs/emptybucket", Role: RoleAny,
			Check: deliveryBucketsEmptiedOnRollback,
		},
	}
	for i := range cs {
		cs[i].Layer, cs[i].Responsibility = LayerLifecycle, Customer
	}
	return cs
}

// firstDeployClean checks that a failed first deployment leaves nothing behind and a redeploy does not collide.
func firstDeployClean(t *Template, f StackFacts) []Failure {
	var fails []Failure
	for _, r := range t.all() {
		policy := r.Attribute("DeletionPolicy")
		if policy == "Retain" {
			fails = append(fails, Failure{r.Path(), "DeletionPolicy is Retain, which also keeps it when the create that made it rolls back: use RetainExceptOnCreate"})
		}
		if policy != "Retain" && policy != "RetainExceptOnCreate" && policy != "Snapshot" {
			continue
		}
		prop, ok := namingProperties[r.Type]
		v, named := r.Get(prop)
		if !ok || !named || strings.Contains(flatten(v), `"AWS::StackId"`) {
			continue
		}
		if name := flatten(v); name != f.TrailBucketName {
			fails = append(fails, Failure{r.Path(), fmt.Sprintf("is retained under the fixed %s %q: after cdk destroy the next deployment fails with \"already exists\"; let CloudFormation name it, or add the stack's unique suffix (logs.StackUnique)", prop, name)})
		}
	}
	return fails
}

// singletonsOnce checks that each per-account-and-region singleton is created once.
func singletonsOnce(t *Template, f StackFacts) []Failure {
	var fails []Failure
	for _, s := range singletons {
		var found []Resource
		for _, r := range t.Resources(s.typ) {
			if s.is == nil || s.is(r) {
				found = append(found, r)
			}
		}
		switch {
		case f.CentralDetection && len(found) > 0:
			fails = append(fails, Failure{found[0].Path(), fmt.Sprintf("a %s is created though detectionServices is false: the organization's already exists and the deployment would fail", s.name)})
		case !f.CentralDetection && len(found) != 1:
			fails = append(fails, Failure{"", fmt.Sprintf("%d %s(s) with detectionServices on; the account has exactly one per region", len(found), s.name)})
		}
	}
	return fails
}

// creationOrdered checks that resources are created in the order their services require.
func creationOrdered(t *Template, f StackFacts) []Failure {
	var fails []Failure
	fails = append(fails, configOrdered(t)...)
	for _, std := range t.Resources("AWS::SecurityHub::Standard") {
		for _, hub := range t.Resources("AWS::SecurityHub::Hub") {
			fails = append(fails, mustFollow(t, std, hub, "a standard can be enabled only in an account subscribed to Security Hub")...)
		}
	}
	fails = append(fails, bucketsBeforeFailures(t)...)
	fails = append(fails, loggersAfterPermissions(t)...)
	return fails
}

// mustFollow fails a when it is not created after b, for the reason why.
func mustFollow(t *Template, a, b Resource, why string) []Failure {
	if !t.After(a.LogicalID, b.LogicalID) {
		return []Failure{{a.Path(), fmt.Sprintf("is not created after %s: %s", b.Path(), why)}}
	}
	return nil
}

// configOrdered checks that Config rules follow the recorder, and that the
// recorder and its channel follow the bucket's policy but not each other.
func configOrdered(t *Template) []Failure {
	var fails []Failure
	recorders := t.Resources("AWS::Config::ConfigurationRecorder")
	for _, rule := range t.Resources("AWS::Config::ConfigRule") {
		for _, rec := range recorders {
			fails = append(fails, mustFollow(t, rule, rec, "PutConfigRule fails with NoAvailableConfigurationRecorderException until a recorder exists")...)
		}
	}
	for _, ch := range t.Resources("AWS::Config::DeliveryChannel") {
		for _, rec := range recorders {
			if t.After(ch.LogicalID, rec.LogicalID) || t.After(rec.LogicalID, ch.LogicalID) {
				fails = append(fails, Failure{ch.Path(), "depends on " + rec.Path() + " or the other way round: CloudFormation starts the recorder once the channel exists, so either order leaves one waiting until it times out"})
			}
			for _, p := range bucketPolicies(t, ch.Properties()["S3BucketName"]) {
				fails = append(fails, mustFollow(t, rec, p, "the recorder starts delivering as soon as it exists")...)
				fails = append(fails, mustFollow(t, ch, p, "a channel whose bucket refuses Config fails with InsufficientDeliveryPolicyException")...)
			}
		}
	}
	return fails
}

// bucketsBeforeFailures checks that buckets that fill up early (Config's,
// and those of the database's stack) are created after what may fail.
func bucketsBeforeFailures(t *Template) []Failure {
	var fails []Failure
	for _, ch := range t.Resources("AWS::Config::DeliveryChannel") {
		b, found := t.Resource(RefTargetOr(ch.Properties()["S3BucketName"]))
		if !found {
			continue
		}
		for _, typ := range []string{"AWS::GuardDuty::Detector", "AWS::SecurityHub::Hub", "AWS::SecurityHub::Standard", "AWS::AccessAnalyzer::Analyzer"} {
			for _, s := range t.Resources(typ) {
				fails = append(fails, mustFollow(t, b, s, "Config writes into its bucket as soon as the channel exists, and a create that then fails at a refused singleton cannot roll back past a bucket that holds objects")...)
			}
		}
	}
	for _, db := range t.Resources("AWS::RDS::DBInstance") {
		for _, b := range t.Resources("AWS::S3::Bucket") {
			if t.Stack(b.LogicalID) == t.Stack(db.LogicalID) {
				fails = append(fails, mustFollow(t, b, db, "log deliveries start filling a bucket soon after it exists, and a create that then fails at the database cannot roll back past a bucket that holds objects")...)
			}
		}
	}
	return fails
}

// loggersAfterPermissions checks that the load balancer, flow logs, trails
// and WAF logging follow the policies and destinations they write with.
func loggersAfterPermissions(t *Template) []Failure {
	var fails []Failure
	for _, lb := range t.Resources("AWS::ElasticLoadBalancingV2::LoadBalancer") {
		for _, a := range list(lb.Properties()["LoadBalancerAttributes"]) {
			if k, _ := dig(a, "Key"); k == "access_logs.s3.bucket" {
				v, _ := dig(a, "Value")
				for _, p := range bucketPolicies(t, v) {
					fails = append(fails, mustFollow(t, lb, p, "without the bucket policy the load balancer's creation fails with \"Access Denied for bucket\" (aws-cdk issue 1633)")...)
				}
			}
		}
	}
	for _, fl := range t.Resources("AWS::EC2::FlowLog") {
		for _, p := range rolePolicies(t, fl.Properties()["DeliverLogsPermissionArn"]) {
			fails = append(fails, mustFollow(t, fl, p, "a flow log created before its role may write stays in \"Access error\"")...)
		}
	}
	for _, tr := range t.Resources("AWS::CloudTrail::Trail") {
		for _, p := range rolePolicies(t, tr.Properties()["CloudWatchLogsRoleArn"]) {
			fails = append(fails, mustFollow(t, tr, p, "CloudTrail checks at creation that its role may write to the log group")...)
		}
	}
	for _, lc := range t.Resources("AWS::WAFv2::LoggingConfiguration") {
		for _, d := range list(lc.Properties()["LogDestinationConfigs"]) {
			dest := flatten(d)
			if i := strings.Index(dest, ":log-group:"); i >= 0 {
				if g := logGroupNamed(t, dest[i+len(":log-group:"):]); g != nil {
					fails = append(fails, mustFollow(t, lc, *g, "WAF refuses a log destination that does not exist")...)
				}
			}
		}
	}
	return fails
}

// writersMayUseKeys checks that every service writing to an encrypted destination may use its key.
func writersMayUseKeys(t *Template, f StackFacts) []Failure {
	var fails []Failure
	fails = append(fails, topicWriters(t)...)
	logs := "logs." + f.Region + ".amazonaws.com"
	for _, g := range t.Resources("AWS::Logs::LogGroup") {
		if key := g.Properties()["KmsKeyId"]; key != nil {
			fails = append(fails, keyAdmits(t, g, key, logs, "CloudWatch Logs", []string{"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"})...)
		}
	}
	for _, ch := range t.Resources("AWS::Config::DeliveryChannel") {
		if b, found := t.Resource(RefTargetOr(ch.Properties()["S3BucketName"])); found {
			if key := bucketKey(b); key != nil {
				fails = append(fails, keyAdmits(t, b, key, "config.amazonaws.com", "AWS Config", []string{"kms:GenerateDataKey", "kms:Decrypt"})...)
			}
		}
	}
	fails = append(fails, accessLogsToSSES3(t)...)
	return dedupe(fails)
}

// keyAdmits checks that the key keyRef refers to, when it is a key of the
// account's stacks, allows principal (the writer into dest) every action.
func keyAdmits(t *Template, dest Resource, keyRef any, principal, writer string, actions []string) []Failure {
	k, found := t.Resource(RefTargetOr(keyRef))
	if !found || k.Type != "AWS::KMS::Key" {
		return nil // not a key of the account's stacks: KMS-1 and the encryption controls speak to it
	}
	var fails []Failure
	for _, a := range actions {
		if !keyAllows(k, principal, a) {
			fails = append(fails, Failure{dest.Path(), fmt.Sprintf("%s writes into it, but its key %s does not allow %s %s", writer, k.Path(), principal, a)})
		}
	}
	return fails
}

// topicWriters checks that the alarms and rules that publish to an
// encrypted topic may use its key, and that no Auto Scaling group notifies it.
func topicWriters(t *Template) []Failure {
	var fails []Failure
	publish := []string{"kms:GenerateDataKey", "kms:Decrypt"}
	for _, topic := range t.Resources("AWS::SNS::Topic") {
		key := topic.Properties()["KmsMasterKeyId"]
		if key == nil {
			continue
		}
		for _, alarm := range t.Resources("AWS::CloudWatch::Alarm") {
			if refersTo([]any{alarm.Properties()["AlarmActions"], alarm.Properties()["OKActions"], alarm.Properties()["InsufficientDataActions"]}, topic.LogicalID) {
				fails = append(fails, keyAdmits(t, topic, key, "cloudwatch.amazonaws.com", "CloudWatch alarm "+alarm.Path(), publish)...)
			}
		}
		for _, rule := range t.Resources("AWS::Events::Rule") {
			if refersTo(rule.Properties()["Targets"], topic.LogicalID) {
				fails = append(fails, keyAdmits(t, topic, key, "events.amazonaws.com", "EventBridge rule "+rule.Path(), publish)...)
			}
		}
		for _, g := range t.Resources("AWS::AutoScaling::AutoScalingGroup") {
			if refersTo(g.Properties()["NotificationConfigurations"], topic.LogicalID) {
				fails = append(fails, Failure{g.Path(), "notifies the encrypted topic " + topic.Path() + ": Auto Scaling publishes as its service-linked role, which the key cannot admit, so the notifications never arrive; route its events through an EventBridge rule"})
			}
		}
	}
	return fails
}

// accessLogsToSSES3 checks that the buckets that S3 server access logs and
// the load balancer's access logs go to are encrypted with SSE-S3.
func accessLogsToSSES3(t *Template) []Failure {
	var fails []Failure
	sseS3Only := func(v any, writer string) {
		if b, found := t.Resource(RefTargetOr(v)); found && b.Type == "AWS::S3::Bucket" && !sseS3(b) {
			fails = append(fails, Failure{b.Path(), writer + " writes into it, and delivers only to buckets encrypted with SSE-S3"})
		}
	}
	for _, b := range t.Resources("AWS::S3::Bucket") {
		v, _ := b.Get("LoggingConfiguration", "DestinationBucketName")
		sseS3Only(v, "S3 server access logging of "+b.Path())
	}
	for _, lb := range t.Resources("AWS::ElasticLoadBalancingV2::LoadBalancer") {
		for _, a := range list(lb.Properties()["LoadBalancerAttributes"]) {
			if k, _ := dig(a, "Key"); k == "access_logs.s3.bucket" {
				v, _ := dig(a, "Value")
				sseS3Only(v, "The access logging of "+lb.Path())
			}
		}
	}
	return fails
}

// stateSeparated checks that state and the stateless tier live in separate stacks.
func stateSeparated(t *Template, f StackFacts) []Failure {
	var fails []Failure
	var stateless []Resource
	for _, typ := range statelessTypes {
		stateless = append(stateless, t.Resources(typ)...)
	}
	for _, typ := range []string{"AWS::RDS::DBInstance", "AWS::RDS::DBCluster"} {
		for _, db := range t.Resources(typ) {
			for _, s := range stateless {
				fails = append(fails, Failure{db.Path(), "shares a stack with " + s.Path() + ": a failed or cancelled deployment of one rolls back the other, and a deletion-protected database stops the rollback"})
			}
		}
	}
	if f.Stack != StackService {
		return fails
	}
	return append(fails, serviceStackStateless(t, f)...)
}

// serviceStackStateless checks that the service stack holds no data and,
// in the sandbox profile, no load balancer with deletion protection.
func serviceStackStateless(t *Template, f StackFacts) []Failure {
	var fails []Failure
	for _, typ := range dataTypes {
		for _, r := range t.Resources(typ) {
			fails = append(fails, Failure{r.Path(), "is data in the stateless service stack, which must be safe to destroy and redeploy"})
		}
	}
	if f.Profile != "sandbox" {
		return fails
	}
	for _, lb := range t.Resources("AWS::ElasticLoadBalancingV2::LoadBalancer") {
		for _, a := range list(lb.Properties()["LoadBalancerAttributes"]) {
			k, _ := dig(a, "Key")
			v, _ := dig(a, "Value")
			if k == "deletion_protection.enabled" && flatten(v) == "true" {
				fails = append(fails, Failure{lb.Path(), "has deletion protection in the sandbox profile, so cdk destroy of the service stack fails"})
			}
		}
	}
	return fails
}

// bucketPolicies returns the bucket policies of the bucket v refers to.
func bucketPolicies(t *Template, v any) []Resource {
	id := RefTargetOr(v)
	if id == "" {
		return nil
	}
	var out []Resource
	for _, p := range t.Resources("AWS::S3::BucketPolicy") {
		if RefTargetOr(p.Properties()["Bucket"]) == id {
			out = append(out, p)
		}
	}
	return out
}

// rolePolicies returns the policies attached to the role v refers to.
func rolePolicies(t *Template, v any) []Resource {
	id := RefTargetOr(v)
	if id == "" {
		return nil
	}
	var out []Resource
	for _, typ := range []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"} {
		for _, p := range t.Resources(typ) {
			if refersTo(p.Properties()["Roles"], id) {
				out = append(out, p)
			}
		}
	}
	return out
}

// bucketKey returns the KMS key a bucket encrypts with by default, or nil.
func bucketKey(b Resource) any {
	enc, _ := b.Get("BucketEncryption", "ServerSideEncryptionConfiguration")
	for _, r := range list(enc) {
		if k, ok := dig(r, "ServerSideEncryptionByDefault", "KMSMasterKeyID"); ok {
			return k
		}
	}
	return nil
}

// keyAllows reports whether the key's policy allows the service principal
// the action.
func keyAllows(k Resource, service, action string) bool {
	for _, s := range Statements(k.Properties()["KeyPolicy"]) {
		if s.Allows() && s.HasPrincipal("Service", service) && s.GrantsAction(action) {
			return true
		}
	}
	return false
}

func dedupe(fs []Failure) []Failure {
	seen := map[Failure]bool{}
	var out []Failure
	for _, f := range fs {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// vpcOwnsGuardDutyEndpoint checks that the VPC has the GuardDuty runtime
// monitoring endpoint GuardDuty's automated agent would otherwise create
// in it, outside the template, and never delete.
func vpcOwnsGuardDutyEndpoint(t *Template, f StackFacts, vpc Resource) []Failure {
	var found []Resource
	for _, e := range t.Resources("AWS::EC2::VPCEndpoint") {
		if id, _ := RefTarget(e.Properties()["VpcId"]); id == vpc.LogicalID && e.String("VpcEndpointType") == "Interface" &&
			strings.HasSuffix(describeValue(e.Properties()["ServiceName"]), ".guardduty-data") {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		return []Failure{{vpc.Path(), fmt.Sprintf("has %d guardduty-data interface endpoint(s) of its own; with one, GuardDuty's automated agent creates none (GuardDuty user guide, \"Using infrastructure as code with GuardDuty automated security agents\"); without, the endpoint and security group GuardDuty creates, and never deletes, keep cdk destroy from deleting the subnets and the VPC (constructs/network, guardDutyEndpoint)", len(found))}}
	}
	e := found[0]
	var fails []Failure
	if !e.Bool("PrivateDnsEnabled") {
		fails = append(fails, Failure{e.Path(), "PrivateDnsEnabled is not true: the agent resolves guardduty-data.<region>.amazonaws.com, and GuardDuty would find no usable endpoint"})
	}
	subnets := map[string]bool{}
	for _, s := range list(e.Properties()["SubnetIds"]) {
		if id, ok := RefTarget(s); ok {
			subnets[id] = true
		}
	}
	for _, s := range subnetsByTier(t)[SubnetApp] {
		if !subnets[s.LogicalID] {
			fails = append(fails, Failure{e.Path(), "is not in App subnet " + s.Path() + ", where the instances run"})
		}
	}
	fails = append(fails, guardDutyEndpointAdmitsApp(t, e)...)
	for _, s := range Statements(e.Properties()["PolicyDocument"]) {
		if s.Allows() && !s.ConditionEquals("StringEquals", "aws:PrincipalAccount", f.WorkloadAccount) {
			fails = append(fails, Failure{e.Path(), fmt.Sprintf("its policy's statement %q admits principals outside account %s (condition StringEquals aws:PrincipalAccount)", s.Sid, f.WorkloadAccount)})
		}
	}
	if len(Statements(e.Properties()["PolicyDocument"])) == 0 {
		fails = append(fails, Failure{e.Path(), "has no policy: every principal of every account may use it"})
	}
	return fails
}

// guardDutyEndpointAdmitsApp checks that the endpoint's security groups
// admit HTTPS from the app tier's security group and nothing else.
func guardDutyEndpointAdmitsApp(t *Template, e Resource) []Failure {
	var fails []Failure
	app := appSecurityGroups(t)
	admitted := false
	for _, sg := range list(e.Properties()["SecurityGroupIds"]) {
		id, _ := RefTarget(sg)
		for _, r := range ingressRules(t, id) {
			if r.source == "" || !r.allowsOnly(443) || !app[r.source] {
				fails = append(fails, Failure{r.path, "the GuardDuty endpoint's security group admits " + r.String() + "; only HTTPS from the app tier's security group is allowed"})
			} else {
				admitted = true
			}
		}
	}
	if !admitted && len(app) > 0 {
		fails = append(fails, Failure{e.Path(), "admits no HTTPS from the app tier's security group: the agents on the instances could not deliver"})
	}
	return fails
}

// unattendedCertificates checks that a deployment from GitHub Actions
// cannot wait for a certificate's validation record: CloudFormation keeps
// an AWS::CertificateManager::Certificate in CREATE_IN_PROGRESS until its
// DNS record exists, which it creates itself only through the hosted zone
// its DomainValidationOptions name (CloudFormation template reference,
// AWS::CertificateManager::Certificate).
func unattendedCertificates(t *Template, f StackFacts) []Failure {
	if f.GitHubRepository == "" {
		return nil
	}
	var fails []Failure
	for _, c := range t.Resources("AWS::CertificateManager::Certificate") {
		zoned := map[string]bool{}
		for _, o := range list(c.Properties()["DomainValidationOptions"]) {
			if z, _ := dig(o, "HostedZoneId"); z != nil && flatten(z) != "" {
				d, _ := dig(o, "DomainName")
				zoned[flatten(d)] = true
			}
		}
		domains := append([]string{c.String("DomainName")}, flattenList(list(c.Properties()["SubjectAlternativeNames"]))...)
		for _, d := range domains {
			if !zoned[d] {
				fails = append(fails, Failure{c.Path(), fmt.Sprintf("%s is validated through no hosted zone, so a deployment from %s would wait, up to CloudFormation's timeout, for someone to create its DNS record by hand: set hostedZoneId (a public Route 53 zone of the workload account that holds domainName) or certificateArn", d, f.GitHubRepository)})
			}
		}
	}
	return fails
}

// deliveryBucketsEmptiedOnRollback checks that a rollback of a failed first
// create can delete every bucket that a resource of its own stack delivers
// into: CloudFormation deletes no bucket that holds objects.
func deliveryBucketsEmptiedOnRollback(t *Template, f StackFacts) []Failure {
	var fails []Failure
	for _, d := range deliveriesInStack(t) {
		b := d.bucket
		if b.Properties()["ObjectLockEnabled"] != nil || b.Properties()["ObjectLockConfiguration"] != nil {
			fails = append(fails, Failure{b.Path(), "has Object Lock and receives " + d.from + " while its stack is being created: a rollback could never empty it; deliver into it only from a later stack"})
			continue
		}
		var emptiers []Resource
		for _, e := range t.Resources(EmptyOnRollbackType) {
			if RefTargetOr(e.Properties()["BucketName"]) == b.LogicalID {
				emptiers = append(emptiers, e)
			}
		}
		if len(emptiers) == 0 {
			fails = append(fails, Failure{b.Path(), "receives " + d.from + " while its stack is being created, and no " + EmptyOnRollbackType + " empties it: a create that fails after the first delivery ends in ROLLBACK_FAILED at this bucket (constructs/emptybucket)"})
			continue
		}
		for _, e := range emptiers {
			fails = append(fails, mustFollow(t, e, b, "it empties the bucket")...)
			policies := bucketPolicies(t, map[string]any{"Ref": b.LogicalID})
			for _, p := range policies {
				fails = append(fails, mustFollow(t, p, e, "the policy admits the delivering services: deleted only after the emptier, it would let a delivery refill the emptied bucket before CloudFormation deletes it")...)
			}
			if role := emptierRole(t, e); role == "" || !deniesDeletesTo(policies, role) {
				fails = append(fails, Failure{b.Path(), "its policy does not deny deletions to the role of " + e.Path() + "'s function (aws:PrincipalArn): anyone who could change that function's code could delete from the bucket at any time, not only in the rollback that deletes the policy first"})
			}
		}
	}
	return fails
}

// delivery is a bucket that a resource of its own stack delivers into.
type delivery struct {
	bucket Resource
	from   string
}

// deliveriesInStack returns the buckets that a resource of their own
// stack delivers into: a Config delivery channel, a trail, a bucket's
// server access logs, a load balancer's access logs.
func deliveriesInStack(t *Template) []delivery {
	var out []delivery
	seen := map[string]bool{}
	add := func(v any, from Resource, what string) {
		id := RefTargetOr(v)
		b, found := t.Resource(id)
		if !found || b.Type != "AWS::S3::Bucket" || t.Stack(id) != t.Stack(from.LogicalID) || seen[id] {
			return
		}
		seen[id] = true
		out = append(out, delivery{b, what + " (" + from.Path() + ")"})
	}
	for _, ch := range t.Resources("AWS::Config::DeliveryChannel") {
		add(ch.Properties()["S3BucketName"], ch, "AWS Config's deliveries")
	}
	for _, tr := range t.Resources("AWS::CloudTrail::Trail") {
		add(tr.Properties()["S3BucketName"], tr, "a trail's logs")
	}
	for _, b := range t.Resources("AWS::S3::Bucket") {
		v, _ := b.Get("LoggingConfiguration", "DestinationBucketName")
		add(v, b, "server access logs")
	}
	for _, lb := range t.Resources("AWS::ElasticLoadBalancingV2::LoadBalancer") {
		for _, a := range list(lb.Properties()["LoadBalancerAttributes"]) {
			if k, _ := dig(a, "Key"); k == "access_logs.s3.bucket" {
				v, _ := dig(a, "Value")
				add(v, lb, "load balancer access logs")
			}
		}
	}
	return out
}

// emptierRole is the logical ID of the role of the function an emptier
// runs on ("" when the template does not show it).
func emptierRole(t *Template, e Resource) string {
	fn, found := t.Resource(refOrAtt(e.Properties()["ServiceToken"]))
	if !found || fn.Type != "AWS::Lambda::Function" {
		return ""
	}
	return refOrAtt(fn.Properties()["Role"])
}

// refOrAtt is the logical ID a Ref or an Fn::GetAtt names ("" otherwise).
func refOrAtt(v any) string {
	if ids := refsIn(v); len(ids) == 1 {
		return ids[0]
	}
	return ""
}

// deniesDeletesTo reports whether one of the bucket policies denies
// s3:DeleteObject and s3:DeleteObjectVersion to the role, by its ARN.
func deniesDeletesTo(policies []Resource, role string) bool {
	for _, p := range policies {
		for _, s := range Statements(p.Properties()["PolicyDocument"]) {
			if s.Effect == "Deny" && slices.Contains(s.Actions, "s3:DeleteObject") && slices.Contains(s.Actions, "s3:DeleteObjectVersion") &&
				refersTo(s.Condition("ArnEquals", "aws:PrincipalArn"), role) {
				return true
			}
		}
	}
	return false
}
