package edge

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/regioninfo"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/constructs/logs"
	"github.com/secure-webapp/secure-webapp/constructs/network"
)

// SSLPolicy is the HTTPS listener's security policy.
const SSLPolicy = elbv2.SslPolicy_TLS13_RES

// RateLimit is the number of requests one IP address may make in five
// minutes before the web ACL blocks it.
const RateLimit = 1000

// RedactedHeaders are the request headers WAF logs never show.
var RedactedHeaders = []string{"authorization", "cookie"}

// ManagedRuleGroups are the AWS managed rule groups the web ACL runs.
var ManagedRuleGroups = []string{
	"AWSManagedRulesAmazonIpReputationList",
	"AWSManagedRulesCommonRuleSet",
	"AWSManagedRulesKnownBadInputsRuleSet",
	"AWSManagedRulesSQLiRuleSet",
}

// Props are the inputs of an Edge. All are required unless marked optional.
type Props struct {
	// Network places the load balancer in its Public subnets.
	Network *network.Network
	// Target receives the traffic, over HTTPS on TargetPort.
	Target     elbv2.IApplicationLoadBalancerTarget
	TargetPort int
	// DomainName is the name served.
	DomainName string
	// HostedZoneID (optional) validates the certificate and holds the alias.
	HostedZoneID string
	// CertificateARN (optional) is an existing certificate to use.
	CertificateARN string
	// DeletionProtection protects the load balancer from deletion.
	DeletionProtection bool
	// AccessLogs receives the load balancer's access logs.
	AccessLogs awss3.IBucket
	// WAFLogGroupName names the web ACL's log group, followed by the
	// stack's unique suffix (logs.StackUnique); WAF requires the
	// prefix aws-waf-logs-.
	WAFLogGroupName string
	// LogRetentionDays is how long WAF logs are kept.
	LogRetentionDays int
}

// Edge is the load balancer, its certificate and its web ACL.
type Edge struct {
	constructs.Construct
	LoadBalancer elbv2.IApplicationLoadBalancer
	Certificate  awscertificatemanager.ICertificate
	WebACL       awswafv2.CfnWebACL
}

// New builds the edge.
func New(scope constructs.Construct, id string, props *Props) *Edge {
	c := constructs.NewConstruct(scope, &id)
	vpc := props.Network.Vpc

	sg := awsec2.NewSecurityGroup(c, jsii.String("SecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String("Load balancer: HTTPS, and HTTP to redirect it, from anywhere"),
		AllowAllOutbound: jsii.Bool(false),
	})
	sg.AddIngressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(443)), jsii.String("HTTPS from anywhere"), nil)
	sg.AddIngressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(80)), jsii.String("HTTP from anywhere, redirected to HTTPS"), nil)
	compliance.Suppress(sg.Node().DefaultChild(), "the internet-facing load balancer serves the public: it admits exactly 443, and 80 only to redirect to 443 (EDGE-2); no other group admits the internet (NET-6)",
		"AwsSolutions-EC23")

	alb := elbv2.NewApplicationLoadBalancer(c, jsii.String("LoadBalancer"), &elbv2.ApplicationLoadBalancerProps{
		Vpc:                     vpc,
		VpcSubnets:              network.Subnets(network.PublicSubnets),
		InternetFacing:          jsii.Bool(true),
		SecurityGroup:           sg,
		DropInvalidHeaderFields: jsii.Bool(true),
		DesyncMitigationMode:    elbv2.DesyncMitigationMode_STRICTEST,
		DeletionProtection:      jsii.Bool(props.DeletionProtection),
	})
	accessLogs(alb, props.AccessLogs)
	if !props.DeletionProtection {
		compliance.Suppress(alb.Node().DefaultChild(), "deletion protection is on in the production profile; the sandbox profile leaves it off so that a sandbox can be torn down with cdk destroy",
			"NIST.800.53.R5-ELBDeletionProtectionEnabled", "PCI.DSS.321-ELBDeletionProtectionEnabled", "HIPAA.Security-ELBDeletionProtectionEnabled")
	}

	cert := certificate(c, props)
	https := alb.AddListener(jsii.String("Https"), &elbv2.BaseApplicationListenerProps{
		Port:         jsii.Number(443),
		Protocol:     elbv2.ApplicationProtocol_HTTPS,
		Certificates: &[]elbv2.IListenerCertificate{elbv2.ListenerCertificate_FromCertificateManager(cert)},
		SslPolicy:    SSLPolicy,
		Open:         jsii.Bool(false), // the security group above says who may connect
	})
	https.AddTargets(jsii.String("App"), &elbv2.AddApplicationTargetsProps{
		Port:     jsii.Number(props.TargetPort),
		Protocol: elbv2.ApplicationProtocol_HTTPS,
		Targets:  &[]elbv2.IApplicationLoadBalancerTarget{props.Target},
		HealthCheck: &elbv2.HealthCheck{
			Path:     jsii.String("/health"),
			Protocol: elbv2.Protocol_HTTPS,
		},
		DeregistrationDelay: awscdk.Duration_Seconds(jsii.Number(30)),
	})
	redirect := alb.AddRedirect(&elbv2.ApplicationLoadBalancerRedirectConfig{
		SourcePort: jsii.Number(80), SourceProtocol: elbv2.ApplicationProtocol_HTTP,
		TargetPort: jsii.Number(443), TargetProtocol: elbv2.ApplicationProtocol_HTTPS,
		Open: jsii.Bool(false),
	})
	compliance.Suppress(redirect.Node().DefaultChild(), "this HTTP listener serves nothing: its only action is a permanent redirect to the HTTPS listener, which has the ACM certificate (EDGE-2)",
		"NIST.800.53.R5-ELBv2ACMCertificateRequired", "HIPAA.Security-ELBv2ACMCertificateRequired", "PCI.DSS.321-ELBv2ACMCertificateRequired")

	if props.HostedZoneID != "" {
		awsroute53.NewCfnRecordSet(c, jsii.String("AliasRecord"), &awsroute53.CfnRecordSetProps{
			HostedZoneId: jsii.String(props.HostedZoneID),
			Name:         jsii.String(props.DomainName + "."),
			Type:         jsii.String("A"),
			AliasTarget: &awsroute53.CfnRecordSet_AliasTargetProperty{
				DnsName:              alb.LoadBalancerDnsName(),
				HostedZoneId:         alb.LoadBalancerCanonicalHostedZoneId(),
				EvaluateTargetHealth: jsii.Bool(true),
			},
		})
	}

	acl := webACL(c, props, alb)
	return &Edge{Construct: c, LoadBalancer: alb, Certificate: cert, WebACL: acl}
}

func certificate(c constructs.Construct, props *Props) awscertificatemanager.ICertificate {
	if props.CertificateARN != "" {
		return awscertificatemanager.Certificate_FromCertificateArn(c, jsii.String("Certificate"), jsii.String(props.CertificateARN))
	}
	var zone awsroute53.IHostedZone
	if props.HostedZoneID != "" {
		zone = awsroute53.HostedZone_FromHostedZoneId(c, jsii.String("Zone"), jsii.String(props.HostedZoneID))
	}
	return awscertificatemanager.NewCertificate(c, jsii.String("Certificate"), &awscertificatemanager.CertificateProps{
		DomainName: jsii.String(props.DomainName),
		Validation: awscertificatemanager.CertificateValidation_FromDns(zone),
	})
}

func webACL(c constructs.Construct, props *Props, alb elbv2.ApplicationLoadBalancer) awswafv2.CfnWebACL {
	visibility := func(name string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
		return &awswafv2.CfnWebACL_VisibilityConfigProperty{
			CloudWatchMetricsEnabled: jsii.Bool(true),
			MetricName:               jsii.String(name),
			SampledRequestsEnabled:   jsii.Bool(true),
		}
	}
	rules := []any{&awswafv2.CfnWebACL_RuleProperty{
		Name:     jsii.String("RateLimitPerIp"),
		Priority: jsii.Number(0),
		Action:   &awswafv2.CfnWebACL_RuleActionProperty{Block: &awswafv2.CfnWebACL_BlockActionProperty{}},
		Statement: &awswafv2.CfnWebACL_StatementProperty{RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
			AggregateKeyType: jsii.String("IP"),
			Limit:            jsii.Number(RateLimit),
		}},
		VisibilityConfig: visibility("RateLimitPerIp"),
	}}
	for i, name := range ManagedRuleGroups {
		rules = append(rules, &awswafv2.CfnWebACL_RuleProperty{
			Name:           jsii.String(name),
			Priority:       jsii.Number(i + 1),
			OverrideAction: &awswafv2.CfnWebACL_OverrideActionProperty{None: map[string]any{}},
			Statement: &awswafv2.CfnWebACL_StatementProperty{ManagedRuleGroupStatement: &awswafv2.CfnWebACL_ManagedRuleGroupStatementProperty{
				VendorName: jsii.String("AWS"),
				Name:       jsii.String(name),
			}},
			VisibilityConfig: visibility(name),
		})
	}
	acl := awswafv2.NewCfnWebACL(c, jsii.String("WebAcl"), &awswafv2.CfnWebACLProps{
		Scope:            jsii.String("REGIONAL"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: &awswafv2.CfnWebACL_AllowActionProperty{}},
		VisibilityConfig: visibility("WebAcl"),
		Rules:            rules,
	})
	awswafv2.NewCfnWebACLAssociation(c, jsii.String("WebAclAssociation"), &awswafv2.CfnWebACLAssociationProps{
		ResourceArn: alb.LoadBalancerArn(),
		WebAclArn:   acl.AttrArn(),
	})

	groupName := logs.StackUnique(c, props.WAFLogGroupName)
	key := logs.NewKey(c, "WafLogKey", "Encrypts the WAF logs of "+props.WAFLogGroupName, groupName)
	group := logs.NewGroup(c, "WafLogGroup", groupName, key, props.LogRetentionDays)
	// The log keeps who asked for what, not their credentials: the headers
	// that carry sessions and tokens are redacted.
	redacted := make([]any, len(RedactedHeaders))
	for i, h := range RedactedHeaders {
		redacted[i] = &awswafv2.CfnLoggingConfiguration_FieldToMatchProperty{SingleHeader: map[string]any{"Name": h}}
	}
	logging := awswafv2.NewCfnLoggingConfiguration(c, jsii.String("WafLogging"), &awswafv2.CfnLoggingConfigurationProps{
		ResourceArn:           acl.AttrArn(),
		LogDestinationConfigs: &[]any{logs.GroupARN(awscdk.Stack_Of(c), groupName)},
		RedactedFields:        &redacted,
	})
	logging.Node().AddDependency(group)
	return acl
}

// accessLogPrefix is where the load balancer's access logs go in their
// bucket.
const accessLogPrefix = "alb"

// accessLogs sends the load balancer's access logs to bucket. Not CDK's
// LogAccessLogs: besides the statement the load balancer needs, it admits
// delivery.logs.amazonaws.com (the log delivery of network load
// balancers) with no source condition. The writer is Elastic Load
// Balancing's account of the region where it has one, else its log
// delivery service (Elastic Load Balancing guide, "Enable access logs");
// either writes only under this account's prefix. The load balancer is
// created after the policy: without it, its creation fails with "Access
// Denied for bucket" (aws-cdk issue 1633).
func accessLogs(alb elbv2.ApplicationLoadBalancer, bucket awss3.IBucket) {
	stack := awscdk.Stack_Of(alb)
	var writer awsiam.IPrincipal = awsiam.NewServicePrincipal(jsii.String("logdelivery.elasticloadbalancing.amazonaws.com"), nil)
	if account := regioninfo.RegionInfo_Get(stack.Region()).Elbv2Account(); account != nil {
		writer = awsiam.NewAccountPrincipal(account)
	}
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("LoadBalancerWritesAccessLogs"),
		Principals: &[]awsiam.IPrincipal{writer},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  &[]*string{bucket.ArnForObjects(jsii.String(accessLogPrefix + "/AWSLogs/" + *stack.Account() + "/*"))},
	}))
	alb.SetAttribute(jsii.String("access_logs.s3.enabled"), jsii.String("true"))
	alb.SetAttribute(jsii.String("access_logs.s3.bucket"), bucket.BucketName())
	alb.SetAttribute(jsii.String("access_logs.s3.prefix"), jsii.String(accessLogPrefix))
	alb.Node().AddDependency(bucket.Policy())
}
