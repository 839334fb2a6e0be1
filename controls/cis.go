package controls

// CISFilter is one of the CloudWatch Logs metric filters (and alarms) that
// the CIS AWS Foundations Benchmark asks for on the trail's log group. The
// patterns are those the benchmark and Security Hub's CloudWatch controls
// document, character for character: Security Hub reports a near miss as
// failed. constructs/detection builds them from this list and DET-1 checks
// them against it, so the list is the one place they are spelled.
type CISFilter struct {
	// Name names the metric (namespace CISNamespace) and the alarm.
	Name string
	// Recommendation is the CIS v1.4.0 recommendation, SecurityHub the
	// Security Hub control ("" when Security Hub has none).
	Recommendation, SecurityHub string
	Pattern                     string
}

// CISNamespace is the CloudWatch namespace of the CIS metrics.
const CISNamespace = "CISBenchmark"

// CISFilters returns the filters, in CIS order.
func CISFilters() []CISFilter {
	return []CISFilter{
		{"UnauthorizedApiCalls", "CIS 4.1", "CloudWatch.2",
			`{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}`},
		{"ConsoleSignInWithoutMfa", "CIS 4.2", "CloudWatch.3",
			`{($.eventName="ConsoleLogin") && ($.additionalEventData.MFAUsed !="Yes")}`},
		{"RootAccountUsage", "CIS 4.3", "CloudWatch.1",
			`{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}`},
		{"IamPolicyChanges", "CIS 4.4", "CloudWatch.4",
			`{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}`},
		{"CloudTrailConfigChanges", "CIS 4.5", "CloudWatch.5",
			`{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}`},
		{"ConsoleAuthenticationFailures", "CIS 4.6", "CloudWatch.6",
			`{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}`},
		{"DisableOrDeleteCmk", "CIS 4.7", "CloudWatch.7",
			`{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}`},
		{"S3BucketPolicyChanges", "CIS 4.8", "CloudWatch.8",
			`{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}`},
		{"ConfigChanges", "CIS 4.9", "CloudWatch.9",
			`{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}`},
		{"SecurityGroupChanges", "CIS 4.10", "CloudWatch.10",
			`{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}`},
		{"NetworkAclChanges", "CIS 4.11", "CloudWatch.11",
			`{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}`},
		{"NetworkGatewayChanges", "CIS 4.12", "CloudWatch.12",
			`{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}`},
		{"RouteTableChanges", "CIS 4.13", "CloudWatch.13",
			`{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}`},
		{"VpcChanges", "CIS 4.14", "CloudWatch.14",
			`{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}`},
		{"OrganizationsChanges", "CIS 4.15", "",
			`{($.eventSource=organizations.amazonaws.com) && (($.eventName="AcceptHandshake") || ($.eventName="AttachPolicy") || ($.eventName="CreateAccount") || ($.eventName="CreateOrganizationalUnit") || ($.eventName="CreatePolicy") || ($.eventName="DeclineHandshake") || ($.eventName="DeleteOrganization") || ($.eventName="DeleteOrganizationalUnit") || ($.eventName="DeletePolicy") || ($.eventName="DetachPolicy") || ($.eventName="DisablePolicyType") || ($.eventName="EnablePolicyType") || ($.eventName="InviteAccountToOrganization") || ($.eventName="LeaveOrganization") || ($.eventName="MoveAccount") || ($.eventName="RemoveAccountFromOrganization") || ($.eventName="UpdatePolicy") || ($.eventName="UpdateOrganizationalUnit"))}`},
	}
}

// ArchiveFilters are the metric filters, beyond the CIS ones, that the
// logging account's trail log group carries, each with an alarm to the
// logging account's alerts topic (LOG-10): what would weaken the log
// archive from inside its own account. Root use, disabling or deleting a
// key, and bucket policy and lifecycle changes are CIS filters already;
// these add the key policy and rotation, and the buckets' Object Lock,
// versioning and encryption.
func ArchiveFilters() []CISFilter {
	return []CISFilter{
		{"ArchiveKeyPolicyChanges", "LOG-10", "",
			`{($.eventSource=kms.amazonaws.com) && (($.eventName=PutKeyPolicy) || ($.eventName=DisableKeyRotation) || ($.eventName=CancelKeyDeletion) || ($.eventName=CreateGrant))}`},
		{"ArchiveBucketProtectionChanges", "LOG-10", "",
			`{($.eventSource=s3.amazonaws.com) && (($.eventName=PutObjectLockConfiguration) || ($.eventName=PutBucketVersioning) || ($.eventName=PutBucketEncryption) || ($.eventName=DeleteBucketEncryption) || ($.eventName=PutBucketOwnershipControls) || ($.eventName=PutBucketPublicAccessBlock) || ($.eventName=DeleteBucketPublicAccessBlock))}`},
	}
}

// ConfigRules are the AWS Config managed rules (source identifiers) that
// mirror the seed's basics: root MFA, console MFA, no open SSH, no public
// buckets, encrypted volumes and databases, CloudTrail, IMDSv2.
var ConfigRules = []string{
	"ROOT_ACCOUNT_MFA_ENABLED",
	"MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
	"INCOMING_SSH_DISABLED",
	"S3_BUCKET_PUBLIC_READ_PROHIBITED",
	"S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
	"ENCRYPTED_VOLUMES",
	"RDS_STORAGE_ENCRYPTED",
	"MULTI_REGION_CLOUD_TRAIL_ENABLED",
	"EC2_IMDSV2_CHECK",
}

// GuardDutyFeatures are the detector features that must be enabled.
var GuardDutyFeatures = []string{
	"S3_DATA_EVENTS",
	"EBS_MALWARE_PROTECTION",
	"RDS_LOGIN_EVENTS",
	"RUNTIME_MONITORING",
	"LAMBDA_NETWORK_LOGS",
}

// GlobalResourceTypes are the resource types AWS Config records once per
// account, in the region that records them: the recorders of the other
// governed regions exclude them.
// AWS::RDS::GlobalCluster is recorded in every region unless excluded
// (CloudFormation user guide, AWS::Config::ConfigurationRecorder
// ExclusionByResourceTypes).
var GlobalResourceTypes = []string{"AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::RDS::GlobalCluster"}
