package alerts

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/keys"
)

// Props are the inputs of Alerts.
type Props struct {
	// TopicName names the topic.
	TopicName string
	// Email is subscribed to the topic when not empty.
	Email string
}

// Alerts is the alerts topic and its key.
type Alerts struct {
	constructs.Construct
	Topic awssns.ITopic
	Key   awskms.IKey
}

// New builds the alerts topic.
func New(scope constructs.Construct, id string, props *Props) *Alerts {
	c := constructs.NewConstruct(scope, &id)
	stack := awscdk.Stack_Of(c)
	key := keys.New(c, "Key", &keys.Props{Description: "Encrypts the messages of topic " + props.TopicName})
	publish := jsii.Strings("kms:GenerateDataKey*", "kms:Decrypt")
	// CloudWatch alarms and EventBridge rules publish as their service
	// principals, and SNS asks KMS for a data key on their behalf. Which alarms
	// and rules may publish is decided by the topic policy below (this
	// account's only); the key is this topic's alone.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AlarmsAndRulesPublishAlerts"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil), awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
		Actions:    publish,
		Resources:  jsii.Strings("*"),
	}), jsii.Bool(false))
	// Auto Scaling publishes its notifications as its service-linked role.
	// A condition, not the role as principal: the role exists only once the
	// account's first Auto Scaling group does.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AutoScalingPublishesAlerts"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAccountRootPrincipal()},
		Actions:    publish,
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": fmt.Sprintf(
			"arn:%s:iam::%s:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", *stack.Partition(), *stack.Account())}},
	}), jsii.Bool(false))

	topic := awssns.NewTopic(c, jsii.String("Topic"), &awssns.TopicProps{
		TopicName:  jsii.String(props.TopicName),
		MasterKey:  key,
		EnforceSSL: jsii.Bool(true),
	})
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AlarmsOfThisAccountPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{topic.TopicArn()},
		Conditions: &map[string]any{"ArnLike": map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:*", *stack.Partition(), *stack.Region(), *stack.Account())}},
	}))
	if props.Email != "" {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(props.Email), nil))
	}
	return &Alerts{Construct: c, Topic: topic, Key: key}
}
