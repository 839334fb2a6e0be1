package alerts

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/keys"
	"github.com/secure-webapp/secure-webapp/controls"
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
	// Target publishes an EventBridge rule's events to Topic, whose policy
	// admits the rules of this account only.
	Target awsevents.IRuleTarget
}

// topicTarget is an EventBridge target that publishes to a topic and,
// unlike CDK's SnsTopic target, adds no statement of its own to the topic's
// policy: New admits this account's rules once, with their source.
type topicTarget struct{ topic awssns.ITopic }

// Bind implements awsevents.IRuleTarget.
func (t *topicTarget) Bind(_ interfacesawsevents.IRuleRef, _ *string) *awsevents.RuleTargetConfig {
	return &awsevents.RuleTargetConfig{Arn: t.topic.TopicArn()}
}

// New builds the alerts topic.
func New(scope constructs.Construct, id string, props *Props) *Alerts {
	c := constructs.NewConstruct(scope, &id)
	stack := awscdk.Stack_Of(c)
	key := keys.New(c, "Key", &keys.Props{Description: "Encrypts the messages of topic " + props.TopicName, UsedThrough: []string{"sns"}})
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
	// EventBridge rules publish as events.amazonaws.com: only the rules of
	// this account (confused-deputy prevention, SNS developer guide: the
	// topic policy for EventBridge names the rule by aws:SourceArn).
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("RulesOfThisAccountPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{topic.TopicArn()},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": *stack.Account()},
			"ArnLike":      map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:events:%s:%s:rule/*", *stack.Partition(), *stack.Region(), *stack.Account())},
		},
	}))
	target := &topicTarget{topic: topic}
	// Failed launches and terminations of every Auto Scaling group of the
	// account, through EventBridge: Auto Scaling's own notifications are
	// published as its service-linked role, which a key policy can admit only
	// by name once the role exists, and whose permissions cannot be extended
	// (SNS developer guide, "Key management": Auto Scaling needs an IAM role,
	// not a service principal, in the key policy). EventBridge publishes as
	// events.amazonaws.com, which the key admits above.
	awsevents.NewRule(c, jsii.String("AutoScalingFailures"), &awsevents.RuleProps{
		Description: jsii.String("Auto Scaling launches and terminations that failed, to the alerts topic"),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.autoscaling"),
			DetailType: jsii.Strings(controls.AutoScalingFailures...),
		},
		Targets: &[]awsevents.IRuleTarget{target},
	})
	if props.Email != "" {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(props.Email), nil))
	}
	return &Alerts{Construct: c, Topic: topic, Key: key, Target: target}
}
