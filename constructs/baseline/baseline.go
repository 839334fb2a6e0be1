package baseline

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/sdkcall"
)

// PasswordPolicy is the IAM account password policy (CIS 1.8, 1.9; FSBP
// IAM.7, IAM.15, IAM.16).
var PasswordPolicy = map[string]any{
	"MinimumPasswordLength":      14,
	"RequireSymbols":             true,
	"RequireNumbers":             true,
	"RequireUppercaseCharacters": true,
	"RequireLowercaseCharacters": true,
	"AllowUsersToChangePassword": true,
	"PasswordReusePrevention":    24,
}

// Props are the inputs of a Baseline. All are required.
type Props struct {
	// AccountWide sets, besides EBS encryption by default (a setting of each
	// region), what holds for the whole account: the IAM password policy,
	// S3 Block Public Access and AWS Config's service-linked role. True in
	// the account's home region only.
	AccountWide bool
	// LogRetentionDays is how long the logs of the function that makes the
	// calls are kept.
	LogRetentionDays int
}

// Baseline is the account baseline.
type Baseline struct {
	constructs.Construct
	// ConfigRole is done when AWS Config's service-linked role exists;
	// ConfigRoleARN is its ARN.
	ConfigRole    constructs.IDependable
	ConfigRoleARN string
}

// New builds the baseline.
func New(scope constructs.Construct, id string, props *Props) *Baseline {
	c := constructs.NewConstruct(scope, &id)
	stack := awscdk.Stack_Of(c)
	account := *stack.Account()
	configRole := fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig", *stack.Partition(), account)

	// Each call runs on the stack's one SDK-call function (constructs/sdkcall),
	// whose policy gets the call's one statement.
	call := func(id, service, action string, params map[string]any, ignore string, statement awsiam.PolicyStatement) customresources.AwsCustomResource {
		sdk := &customresources.AwsSdkCall{
			Service:            jsii.String(service),
			Action:             jsii.String(action),
			Parameters:         params,
			PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String(id + "-" + account)),
		}
		if ignore != "" {
			sdk.IgnoreErrorCodesMatching = jsii.String(ignore)
		}
		return sdkcall.New(c, id, &sdkcall.Props{
			Call: sdk, Statements: []awsiam.PolicyStatement{statement}, LogRetentionDays: props.LogRetentionDays,
			Wildcards: "UpdateAccountPasswordPolicy, PutAccountPublicAccessBlock and EnableEbsEncryptionByDefault act on the account and IAM authorizes them on \"*\" only; the log stream wildcard is the :* of the function's own log group",
		})
	}
	// These account-level APIs have no resource ARN: IAM and the others
	// authorize them on "*" only.
	call("EbsEncryptionByDefault", "EC2", "EnableEbsEncryptionByDefault", map[string]any{}, "",
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings("ec2:EnableEbsEncryptionByDefault"), Resources: jsii.Strings("*")}))
	if !props.AccountWide {
		// The account's home region created the role; its baseline
		// deploys first.
		return &Baseline{Construct: c, ConfigRole: constructs.NewDependencyGroup(), ConfigRoleARN: configRole}
	}
	call("PasswordPolicy", "IAM", "UpdateAccountPasswordPolicy", PasswordPolicy, "",
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings("iam:UpdateAccountPasswordPolicy"), Resources: jsii.Strings("*")}))
	call("S3BlockPublicAccess", "S3Control", "PutPublicAccessBlock", map[string]any{
		"AccountId": account,
		"PublicAccessBlockConfiguration": map[string]any{
			"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true,
		},
	}, "", awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings("s3:PutAccountPublicAccessBlock"), Resources: jsii.Strings("*")}))
	// CreateServiceLinkedRole fails with InvalidInput when the role exists,
	// which is what we want to be true: ignore that error.
	slr := call("ConfigServiceLinkedRole", "IAM", "CreateServiceLinkedRole", map[string]any{"AWSServiceName": "config.amazonaws.com"}, "InvalidInput",
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:    jsii.Strings("iam:CreateServiceLinkedRole"),
			Resources:  jsii.Strings(configRole),
			Conditions: &map[string]any{"StringEquals": map[string]any{"iam:AWSServiceName": "config.amazonaws.com"}},
		}))
	return &Baseline{Construct: c, ConfigRole: slr, ConfigRoleARN: configRole}
}
