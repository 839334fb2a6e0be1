package controls

import "strings"

// GuardException acknowledges one AWS Control Tower proactive control (run as
// the cfn-guard rules of @cdklabs/cdk-validator-cfnguard, see
// test/guard_test.go) that a resource does not meet, and says why.
type GuardException struct {
	// Rule is the control's ID, such as "CT.S3.PR.2".
	Rule string
	// Path is the end of the construct path of the resource it applies to.
	Path string
	// Profile limits the exception to one profile ("" for every profile).
	Profile string
	Reason  string
}

// Applies reports whether the exception covers rule on the resource at
// path in a template of profile.
func (e GuardException) Applies(rule, path, profile string) bool {
	at := strings.HasSuffix("/"+path, "/"+e.Path) || strings.HasSuffix("/"+path, "/"+e.Path+"/Resource")
	return e.Rule == rule && at && (e.Profile == "" || e.Profile == profile)
}

const (
	accessLogsSSE = "S3 server access log and load balancer access log delivery write only to SSE-S3 buckets; SSE-KMS would stop the logs"
	accessLogLoop = "it is the destination of server access logs; logging it into itself would loop"
	notALockedLog = "Object Lock is for the CloudTrail bucket, whose objects are evidence (LOG-3); here it would only stop lifecycle expiry and teardown, and versioning already keeps overwritten objects"
	noNotify      = "nothing consumes its object events: its writers are AWS services whose own activity the trail records; the application bucket, which the app writes, sends its events to EventBridge"
)

// GuardExceptions are every acknowledged Control Tower control failure.
// docs/CONTROLS.md lists them.
var GuardExceptions = []GuardException{
	{Rule: "CT.S3.PR.10", Path: "Archive/AccessLogBucket", Reason: accessLogsSSE},
	{Rule: "CT.S3.PR.10", Path: "Data/AccessLogBucket", Reason: accessLogsSSE},
	{Rule: "CT.S3.PR.10", Path: "Detection/ConfigAccessLogBucket", Reason: accessLogsSSE},
	{Rule: "CT.S3.PR.2", Path: "Archive/AccessLogBucket", Reason: accessLogLoop},
	{Rule: "CT.S3.PR.2", Path: "Data/AccessLogBucket", Reason: accessLogLoop},
	{Rule: "CT.S3.PR.2", Path: "Detection/ConfigAccessLogBucket", Reason: accessLogLoop},
	{Rule: "CT.S3.PR.9", Path: "Archive/AccessLogBucket", Reason: notALockedLog},
	{Rule: "CT.S3.PR.9", Path: "Data/AccessLogBucket", Reason: notALockedLog},
	{Rule: "CT.S3.PR.9", Path: "Detection/ConfigAccessLogBucket", Reason: notALockedLog},
	{Rule: "CT.S3.PR.9", Path: "AppBucket/Bucket", Reason: "the application's data must be deletable on request (for example under data-protection law); versioning and the retained bucket keep it safe from accidents"},
	{Rule: "CT.S3.PR.9", Path: "Detection/ConfigBucket", Reason: notALockedLog},
	{Rule: "CT.S3.PR.4", Path: "Archive/AccessLogBucket", Reason: noNotify},
	{Rule: "CT.S3.PR.4", Path: "Archive/Bucket", Reason: noNotify},
	{Rule: "CT.S3.PR.4", Path: "Data/AccessLogBucket", Reason: noNotify},
	{Rule: "CT.S3.PR.4", Path: "Detection/ConfigAccessLogBucket", Reason: noNotify},
	{Rule: "CT.S3.PR.4", Path: "Detection/ConfigBucket", Reason: noNotify},
	{Rule: "CT.RDS.PR.20", Path: "Database/Instance", Reason: "a non-default port hides nothing from anyone who can reach the database, and only three security groups can (DB-8)"},
	{Rule: "CT.LAMBDA.PR.3", Path: "AWS679f53fac002430cb0da5b7982bd2287", Reason: "CDK's AwsCustomResource function (one per stack) makes AWS API calls at deployment (the account settings of each baseline; the data stack's log-group claims and prefix-list lookup) and reaches nothing but AWS APIs, from outside the VPC, whose App subnets may have no way out"},
	{Rule: "CT.LAMBDA.PR.3", Path: "EmptyOnRollback/Function", Reason: "the function that empties a stack's delivery buckets in the rollback of its failed first create (LIFE-8) reaches nothing but the S3 and CloudFormation APIs, and most of its stacks have no VPC"},
	{Rule: "CT.LAMBDA.PR.3", Path: "Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler", Reason: "CDK's provider that empties the default security group (NET-4) runs once at deployment and reaches nothing but the EC2 API"},
	{Rule: "CT.GUARDDUTY.PR.1", Path: "Detection/GuardDuty", Reason: "S3 protection is on through Features (S3_DATA_EVENTS), the current API; the rule reads the deprecated DataSources property, which GuardDuty refuses alongside Features"},
	{Rule: "CT.AUTOSCALING.PR.6", Path: "App/Group/ASG", Reason: "the sample app runs one instance type (instanceType); a fork that wants Spot or capacity diversity adds a mixed instances policy"},
	{Rule: "CT.ELASTICLOADBALANCING.PR.6", Path: "Edge/LoadBalancer", Reason: "access logs are on, to the access-log bucket of the data stack (EDGE-3 follows the reference); the rule accepts the bucket only as a string or a reference within the template, not as the Fn::ImportValue that reads it from the data stack"},
	{Rule: "CT.ELASTICLOADBALANCING.PR.5", Path: "Edge/LoadBalancer", Profile: "sandbox", Reason: "deletion protection is on in production (EDGE-3); a sandbox must tear down with cdk destroy"},
}
