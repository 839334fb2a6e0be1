package detection

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsaccessanalyzer"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsconfig"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsguardduty"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecurityhub"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/databucket"
	"github.com/secure-webapp/secure-webapp/constructs/emptybucket"
	"github.com/secure-webapp/secure-webapp/constructs/keys"
	"github.com/secure-webapp/secure-webapp/constructs/logbucket"
	"github.com/secure-webapp/secure-webapp/controls"
)

// Props are the inputs of Detection. All are required.
type Props struct {
	// AppName prefixes the analyzer's name.
	AppName string
	// Services creates the per-account-and-region singletons: GuardDuty,
	// Security Hub, the Config recorder and its delivery channel, and the
	// account's IAM Access Analyzer (one per account and region, a quota
	// that cannot be raised). False leaves them to the account's organization
	// and builds only what works on top of them.
	Services bool
	// TrailLogGroup is the log group the trail delivers to, which the CIS
	// metric filters and alarms watch; nil in a region other than the home
	// region, where there is no trail of its own (the trail is
	// multi-region).
	TrailLogGroup awslogs.ILogGroup
	// Alerts receives the alarms and the serious findings; AlertsTarget is
	// the EventBridge target that publishes to it. Both nil outside the
	// home region, where HomeBus receives them instead.
	Alerts       awssns.ITopic
	AlertsTarget awsevents.IRuleTarget
	// HomeBus is the ARN of the home region's default event bus, to which a
	// region other than the home region forwards its serious GuardDuty
	// findings (and, without Services, its Security Hub findings); "" in
	// the home region.
	HomeBus string
	// Home says this is the account's home region: the Config recorder
	// records the global resource types (IAM) here only, and the Config
	// rules are evaluated here.
	Home bool
	// WatchFilters are metric filters on the trail's log group, with an
	// alarm each to the alerts topic, besides the CIS ones.
	WatchFilters []controls.CISFilter
	// LinkedRegions are the account's other governed regions, whose
	// Security Hub findings the home region's finding aggregator gathers
	// (with Services; home region only).
	LinkedRegions []string
	// LogRetentionDays is how long the server access logs of the Config
	// bucket are kept, in a log bucket of their own.
	LogRetentionDays int
	// Standards are the Security Hub standards to enable, as the part of
	// their ARNs after "standards/".
	Standards []string
	// ConfigRoleARN is AWS Config's service-linked role, which the recorder
	// runs as; ConfigRoleReady is done once it exists.
	ConfigRoleARN   string
	ConfigRoleReady constructs.IDependable
}

// Detection is the set of detection services.
type Detection struct {
	constructs.Construct
	// ConfigBucket receives Config's history; nil without Services.
	ConfigBucket awss3.IBucket
}

// New builds the detection services.
func New(scope constructs.Construct, id string, props *Props) *Detection {
	c := constructs.NewConstruct(scope, &id)
	stack := awscdk.Stack_Of(c)
	// CIS metric filters and alarms, from the one list controls.CISFilters.
	for _, f := range cisFilters(props) {
		mf := awslogs.NewMetricFilter(c, jsii.String(f.Name+"Filter"), &awslogs.MetricFilterProps{
			LogGroup:        props.TrailLogGroup,
			FilterPattern:   awslogs.FilterPattern_Literal(jsii.String(f.Pattern)),
			MetricNamespace: jsii.String(controls.CISNamespace),
			MetricName:      jsii.String(f.Name),
			MetricValue:     jsii.String("1"),
			DefaultValue:    jsii.Number(0),
		})
		alarm := awscloudwatch.NewAlarm(c, jsii.String(f.Name+"Alarm"), &awscloudwatch.AlarmProps{
			AlarmDescription: jsii.String(fmt.Sprintf("%s (%s): %s in the trail's log", f.Recommendation, orNone(f.SecurityHub), f.Name)),
			Metric: mf.Metric(&awscloudwatch.MetricOptions{
				Statistic: jsii.String("Sum"),
				Period:    awscdk.Duration_Minutes(jsii.Number(5)),
			}),
			Threshold:          jsii.Number(1),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(props.Alerts))
	}

	var bucket awss3.IBucket
	var recorded []constructs.IDependable
	if props.Services {
		// The singletons that refuse to be created when the account already
		// has one come first, and Config's buckets only once they exist:
		// Config writes a check file into its bucket as soon as the delivery
		// channel exists, and a create that fails after that could not roll
		// back, since CloudFormation deletes no bucket that holds objects.
		singletons := []constructs.IDependable{guardDuty(c), securityHub(c, stack, props.Standards)}
		singletons = append(singletons, awsaccessanalyzer.NewCfnAnalyzer(c, jsii.String("AccessAnalyzer"), &awsaccessanalyzer.CfnAnalyzerProps{
			Type:         jsii.String("ACCOUNT"),
			AnalyzerName: jsii.String(props.AppName + "-account"),
		}))
		if props.Home && len(props.LinkedRegions) > 0 {
			// Security Hub's cross-region aggregation: the findings of the
			// other governed regions reach the home region, its console and
			// its EventBridge, where the rule below alerts on them (Security
			// Hub user guide, "Cross-Region aggregation").
			agg := awssecurityhub.NewCfnFindingAggregator(c, jsii.String("FindingAggregator"), &awssecurityhub.CfnFindingAggregatorProps{
				RegionLinkingMode: jsii.String("SPECIFIED_REGIONS"),
				Regions:           jsii.Strings(props.LinkedRegions...),
			})
			agg.Node().AddDependency(singletons[1])
			// One per account: a singleton too, which the Config buckets wait for.
			singletons = append(singletons, agg)
		}
		bucket, recorded = configRecorder(c, stack, props, singletons)
	}
	if props.Home {
		// PutConfigRule fails with NoAvailableConfigurationRecorderException
		// until a recorder exists: the rules wait for ours (with an
		// organization's recorder, it exists already).
		for _, id := range controls.ConfigRules {
			rule := awsconfig.NewManagedRule(c, jsii.String("Rule"+id), &awsconfig.ManagedRuleProps{Identifier: jsii.String(id)})
			rule.Node().AddDependency(recorded...)
		}
	}

	target := props.AlertsTarget
	what := "to the alerts topic"
	if props.HomeBus != "" {
		target, what = homeBusTarget(c, stack, props.HomeBus), "to the home region's event bus, where they reach the alerts topic"
	}
	awsevents.NewRule(c, jsii.String("GuardDutyHighFindings"), &awsevents.RuleProps{
		Description: jsii.String("GuardDuty findings of severity 7 or more, " + what),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.guardduty"),
			DetailType: jsii.Strings("GuardDuty Finding"),
			Detail:     &map[string]any{"severity": []any{map[string]any{"numeric": []any{">=", 7}}}},
		},
		Targets: &[]awsevents.IRuleTarget{target},
	})
	if props.HomeBus != "" && props.Services {
		// Aggregated into the home region, where its rule alerts on them:
		// forwarding them too would alert twice.
		return &Detection{Construct: c, ConfigBucket: bucket}
	}
	awsevents.NewRule(c, jsii.String("SecurityHubHighFindings"), &awsevents.RuleProps{
		Description: jsii.String("New, active Security Hub findings rated HIGH or CRITICAL, " + what),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.securityhub"),
			DetailType: jsii.Strings("Security Hub Findings - Imported"),
			Detail: &map[string]any{"findings": map[string]any{
				"Severity": map[string]any{"Label": []any{"HIGH", "CRITICAL"}},
				// GuardDuty's findings reach Security Hub too; the GuardDuty
				// rule alerts on them already.
				"ProductName": []any{map[string]any{"anything-but": "GuardDuty"}},
				"Workflow":    map[string]any{"Status": []any{"NEW"}},
				"RecordState": []any{"ACTIVE"},
			}},
		},
		Targets: &[]awsevents.IRuleTarget{target},
	})
	return &Detection{Construct: c, ConfigBucket: bucket}
}

// guardDuty enables GuardDuty with the features controls.GuardDutyFeatures
// lists.
func guardDuty(c constructs.Construct) constructs.IDependable {
	features := make([]any, 0, len(controls.GuardDutyFeatures))
	for _, name := range controls.GuardDutyFeatures {
		f := &awsguardduty.CfnDetector_CFNFeatureConfigurationProperty{Name: jsii.String(name), Status: jsii.String("ENABLED")}
		if name == "RUNTIME_MONITORING" {
			f.AdditionalConfiguration = []any{&awsguardduty.CfnDetector_CFNFeatureAdditionalConfigurationProperty{
				Name: jsii.String("EC2_AGENT_MANAGEMENT"), Status: jsii.String("ENABLED"),
			}}
		}
		features = append(features, f)
	}
	return awsguardduty.NewCfnDetector(c, jsii.String("GuardDuty"), &awsguardduty.CfnDetectorProps{
		Enable:                     jsii.Bool(true),
		FindingPublishingFrequency: jsii.String("FIFTEEN_MINUTES"),
		Features:                   features,
	})
}

// configRecorder records every resource type as Config's service-linked
// role and delivers to a bucket of its own. It returns the bucket and what
// Config rules must wait for. The buckets are created after the
// resources in after.
//
// The recorder and the delivery channel wait for the same prerequisites
// (the service-linked role, the bucket's policy and key) and never for each
// other: a channel needs a recorder to exist, and CloudFormation starts the
// recorder only once the channel is available, so a DependsOn in either
// direction leaves one of them waiting until it times out (CloudFormation
// user guide, AWS::Config::ConfigurationRecorder: "AWS CloudFormation starts
// the recorder as soon as the delivery channel is available";
// aws-cloudformation-user-guide pull requests 413 and 1282; aws-cdk issue
// 9001).
func configRecorder(c constructs.Construct, stack awscdk.Stack, props *Props, after []constructs.IDependable) (awss3.IBucket, []constructs.IDependable) {
	bucket := configBucket(c, stack, props, after)
	prerequisites := []constructs.IDependable{props.ConfigRoleReady, bucket.Policy(), bucket.EncryptionKey()}
	recorder := awsconfig.NewCfnConfigurationRecorder(c, jsii.String("ConfigRecorder"), &awsconfig.CfnConfigurationRecorderProps{
		RoleArn:        jsii.String(props.ConfigRoleARN),
		RecordingGroup: recordingGroup(props.Home),
	})
	recorder.Node().AddDependency(prerequisites...)
	channel := awsconfig.NewCfnDeliveryChannel(c, jsii.String("ConfigDeliveryChannel"), &awsconfig.CfnDeliveryChannelProps{
		S3BucketName: bucket.BucketName(),
		S3KmsKeyArn:  bucket.EncryptionKey().KeyArn(),
		ConfigSnapshotDeliveryProperties: &awsconfig.CfnDeliveryChannel_ConfigSnapshotDeliveryPropertiesProperty{
			DeliveryFrequency: jsii.String("TwentyFour_Hours"),
		},
	})
	channel.Node().AddDependency(prerequisites...)
	return bucket, []constructs.IDependable{recorder, channel}
}

// securityHub enables Security Hub with the given standards, and returns
// what is done once they are enabled. Its controls evaluate through the
// Config recorder, which starts after it: until then they report that
// Config is not recording, and the first evaluations take hours anyway.
func securityHub(c constructs.Construct, stack awscdk.Stack, standards []string) constructs.IDependable {
	done := constructs.NewDependencyGroup()
	hub := awssecurityhub.NewCfnHub(c, jsii.String("SecurityHub"), &awssecurityhub.CfnHubProps{
		EnableDefaultStandards:  jsii.Bool(false),
		ControlFindingGenerator: jsii.String("SECURITY_CONTROL"),
		AutoEnableControls:      jsii.Bool(true),
	})
	done.Add(hub)
	for _, s := range standards {
		std := awssecurityhub.NewCfnStandard(c, jsii.String("Standard"+pascal(strings.SplitN(s, "/", 2)[0])), &awssecurityhub.CfnStandardProps{
			StandardsArn: jsii.String(fmt.Sprintf("arn:%s:securityhub:%s::standards/%s", *stack.Partition(), *stack.Region(), s)),
		})
		std.Node().AddDependency(hub) // a standard can be enabled only in a subscribed account
		done.Add(std)
	}
	return done
}

// configBucket is the delivery channel's bucket: SSE-KMS under its own key,
// no public access, TLS only, versioned, logged, retained.
func configBucket(c constructs.Construct, stack awscdk.Stack, props *Props, after []constructs.IDependable) awss3.Bucket {
	account := *stack.Account()
	key := keys.New(c, "ConfigKey", &keys.Props{Description: "Encrypts the AWS Config snapshots and history", UsedThrough: []string{"s3"}})
	accessLogs := logbucket.New(c, "ConfigAccessLogBucket", &logbucket.Props{
		ExpirationDays:   props.LogRetentionDays,
		Of:               "the AWS Config bucket's server access logs",
		LogRetentionDays: props.LogRetentionDays,
	})
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		// Config delivers as its service principal even when it records as
		// its service-linked role, which has no KMS permissions (Config
		// developer guide, "Permissions for the KMS Key").
		Sid:        jsii.String("ConfigDeliversToTheBucket"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("config.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:GenerateDataKey", "kms:Decrypt"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": account}},
	}), jsii.Bool(false))
	b := databucket.New(c, "ConfigBucket", &databucket.Props{
		Key: key, AccessLogs: accessLogs, AccessLogPrefix: "config-bucket/",
		Replication: "AWS Config history can be rebuilt from the recorder and the trail; replicating it to a second region is a choice left to the forker",
	})
	b.Node().AddDependency(after...)
	accessLogs.Node().AddDependency(after...)
	config := awsiam.NewServicePrincipal(jsii.String("config.amazonaws.com"), nil)
	sourceAccount := map[string]any{"AWS:SourceAccount": account}
	b.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("AWSConfigBucketPermissionsCheck"), Principals: &[]awsiam.IPrincipal{config},
		Actions: jsii.Strings("s3:GetBucketAcl", "s3:ListBucket"), Resources: &[]*string{b.BucketArn()},
		Conditions: &map[string]any{"StringEquals": sourceAccount},
	}))
	b.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("AWSConfigBucketDelivery"), Principals: &[]awsiam.IPrincipal{config},
		Actions: jsii.Strings("s3:PutObject"), Resources: &[]*string{b.ArnForObjects(jsii.String("AWSLogs/" + account + "/Config/*"))},
		Conditions: &map[string]any{"StringEquals": map[string]any{"AWS:SourceAccount": account, "s3:x-amz-acl": "bucket-owner-full-control"}},
	}))
	// Config writes a check file into the bucket as soon as the delivery
	// channel exists, and its history from then on: a create that fails
	// later (a Config rule, the trail, an alarm) could not roll back past
	// the bucket without the emptier (LIFE-8).
	emptybucket.New(c, "ConfigBucketEmptyOnRollback", &emptybucket.Props{Bucket: b, LogRetentionDays: props.LogRetentionDays})
	return b
}

// pascal turns "cis-aws-foundations-benchmark" into "CisAwsFoundationsBenchmark",
// a stable construct ID.
func pascal(s string) string {
	parts := strings.Split(s, "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}

func orNone(s string) string {
	if s == "" {
		return "no Security Hub control"
	}
	return "Security Hub " + s
}

// cisFilters are the CIS metric filters of the trail's log group: none
// without one.
func cisFilters(props *Props) []controls.CISFilter {
	if props.TrailLogGroup == nil {
		return nil
	}
	return append(controls.CISFilters(), props.WatchFilters...)
}

// recordingGroup records every supported resource type; the global ones
// (IAM users, groups, roles and policies) in the home region only, so that
// each is recorded, and billed, once (Config developer guide, "Recording
// global resource types").
func recordingGroup(home bool) *awsconfig.CfnConfigurationRecorder_RecordingGroupProperty {
	if home {
		return &awsconfig.CfnConfigurationRecorder_RecordingGroupProperty{
			AllSupported: jsii.Bool(true), IncludeGlobalResourceTypes: jsii.Bool(true),
		}
	}
	return &awsconfig.CfnConfigurationRecorder_RecordingGroupProperty{
		AllSupported: jsii.Bool(false), IncludeGlobalResourceTypes: jsii.Bool(false),
		RecordingStrategy:        &awsconfig.CfnConfigurationRecorder_RecordingStrategyProperty{UseOnly: jsii.String("EXCLUSION_BY_RESOURCE_TYPES")},
		ExclusionByResourceTypes: &awsconfig.CfnConfigurationRecorder_ExclusionByResourceTypesProperty{ResourceTypes: jsii.Strings(controls.GlobalResourceTypes...)},
	}
}

// homeBusTarget sends events to the home region's default event bus, as a
// role that EventBridge assumes for this account's rules only and that may
// put events on that bus only (EventBridge user guide, "Sending and
// receiving events between AWS Regions").
func homeBusTarget(c constructs.Construct, stack awscdk.Stack, bus string) awsevents.IRuleTarget {
	role := awsiam.NewRole(c, jsii.String("ForwardRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), &awsiam.ServicePrincipalOpts{Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": *stack.Account()},
			"ArnLike":      map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:events:%s:%s:rule/*", *stack.Partition(), *stack.Region(), *stack.Account())},
		}}),
		Description: jsii.String("Forwards the serious findings of " + *stack.Region() + " to the home region's event bus"),
	})
	awsiam.NewManagedPolicy(c, jsii.String("ForwardPolicy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("The only permission of the role that forwards findings to the home region"),
		Roles:       &[]awsiam.IRole{role},
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("PutEventsOnTheHomeBus"), Actions: jsii.Strings("events:PutEvents"), Resources: jsii.Strings(bus),
		})},
	})
	// Its permissions are the managed policy's alone: the target must not
	// add an inline policy of its own.
	return awseventstargets.NewEventBus(awsevents.EventBus_FromEventBusArn(c, jsii.String("HomeBus"), jsii.String(bus)),
		&awseventstargets.EventBusProps{Role: role.WithoutPolicyUpdates(nil)})
}
