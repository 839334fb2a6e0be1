package logs

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/keys"
)

// NewKey adds to scope a customer-managed key, with automatic rotation, that
// the CloudWatch Logs service of the stack's region may use only for the log
// groups named groupNames in the stack's account.
func NewKey(scope constructs.Construct, id, description string, groupNames ...string) awskms.Key {
	stack := awscdk.Stack_Of(scope)
	key := keys.New(scope, id, &keys.Props{Description: description})
	arns := make([]string, len(groupNames))
	for i, n := range groupNames {
		arns[i] = GroupARN(stack, n)
	}
	var arn any = arns
	if len(arns) == 1 {
		arn = arns[0]
	}
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(statementID(groupNames)),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(fmt.Sprintf("logs.%s.amazonaws.com", *stack.Region())), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"ArnEquals": map[string]any{"kms:EncryptionContext:aws:logs:arn": arn}},
	}), jsii.Bool(false))
	return key
}

func statementID(groupNames []string) string {
	if len(groupNames) == 1 {
		return "CloudWatchLogsUseForTheLogGroup"
	}
	return "CloudWatchLogsUseForTheLogGroups"
}

// GroupARN is the ARN of the log group named name in stack's account and
// region, as KMS encryption contexts carry it (without the ":*" suffix).
func GroupARN(stack awscdk.Stack, name string) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", *stack.Partition(), *stack.Region(), *stack.Account(), name)
}

// NewGroup adds to scope the log group name, encrypted with key, kept for
// retentionDays (one of CloudWatch Logs' retention periods; the configuration
// checks it), retained when the stack is deleted and deleted when the
// deployment that created it rolls back (RetainExceptOnCreate). A name fixed
// in advance should come from StackUnique unless a service dictates it.
func NewGroup(scope constructs.Construct, id, name string, key awskms.IKey, retentionDays int) awslogs.LogGroup {
	g := awslogs.NewLogGroup(scope, jsii.String(id), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String(name),
		EncryptionKey: key,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	g.Node().DefaultChild().(awslogs.CfnLogGroup).SetRetentionInDays(jsii.Number(retentionDays))
	return g
}

// StackUnique returns name followed by a suffix that is unique to this
// instance of the stack: the first group of the UUID in its stack ID,
// resolved by CloudFormation. A log group must be named before it exists
// (its key's policy names it, and services such as WAF and RDS find it by
// name), yet a retained group keeps its name after `cdk destroy`: under a
// fixed name the next deployment would fail with "already exists". The
// next instance of the stack has another ID, so another name.
func StackUnique(scope constructs.Construct, name string) string {
	stack := awscdk.Stack_Of(scope)
	uuid := awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), stack.StackId(), nil))
	return name + "-" + *awscdk.Fn_Select(jsii.Number(0), awscdk.Fn_Split(jsii.String("-"), uuid, nil))
}
