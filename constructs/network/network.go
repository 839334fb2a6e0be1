package network

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/constructs/logs"
	"github.com/secure-webapp/secure-webapp/constructs/sdkcall"
	"github.com/secure-webapp/secure-webapp/controls"
)

// Subnet group names, recorded by CDK in each subnet's aws-cdk:subnet-name
// tag, by which the controls find each tier.
const (
	PublicSubnets = controls.SubnetPublic
	AppSubnets    = controls.SubnetApp
	DataSubnets   = controls.SubnetData
)

// Props are the inputs of a Network. All are required.
type Props struct {
	// CIDR is the VPC's IPv4 range.
	CIDR string
	// AZs are the availability zones, named (never looked up), or their AZ
	// IDs with ByZoneID. They must be the stack's zones too: see PinZones.
	AZs []string
	// ByZoneID places the subnets by AZ ID (AvailabilityZoneId), the same
	// physical zones in every account, instead of by zone name.
	ByZoneID bool
	// SubnetPrefix is the prefix length of every subnet.
	SubnetPrefix int
	// InternetEgress gives the App subnets a way out: NatGateways NAT
	// gateways. false: no NAT gateway, no route out of the App subnets, and
	// an S3 gateway endpoint that reaches only the account's buckets and the
	// AWS buckets the instances and functions need.
	InternetEgress bool
	// NatGateways is the number of NAT gateways, 1 to len(AZs), with
	// InternetEgress; 0 without.
	NatGateways int
	// SessionManager says the instances run the SSM agent, whose updates
	// come from AWS buckets.
	SessionManager bool
	// InterfaceEndpoints adds the Secrets Manager and KMS interface endpoints.
	InterfaceEndpoints bool
	// AppServices are the services the app tier calls through an interface
	// endpoint (apptier.EndpointServices, from its grant table): with
	// InterfaceEndpoints, each gets one, which the app tier reaches.
	AppServices []string
	// FlowLogGroupName names the flow logs' log group, followed by the
	// stack's unique suffix (logs.StackUnique).
	FlowLogGroupName string
	// FunctionLogGroupName names the log group of CDK's function that
	// empties the default security group, followed by the stack's unique
	// suffix.
	FunctionLogGroupName string
	// LogRetentionDays is how long flow logs (and the functions' logs) are
	// kept.
	LogRetentionDays int
}

// Network is the workload VPC.
type Network struct {
	constructs.Construct
	Vpc awsec2.IVpc
	// AppSecurityGroup is the app tier's security group. It starts with no
	// rule at all; the database and the endpoints admit it by reference.
	AppSecurityGroup awsec2.ISecurityGroup
	// InterfaceEndpoints reports whether Secrets Manager and KMS are reached
	// through interface endpoints (true) or through the NAT gateways.
	InterfaceEndpoints bool
	// InternetEgress reports whether the App subnets reach the internet.
	InternetEgress bool
	// AppZones are the zone names of the App subnets, in their order: the
	// configured names, or, by zone ID, the names each subnet's zone has in
	// this account (its AvailabilityZone attribute, known at deployment).
	AppZones []string
	// Endpoints are the VPC endpoints and the rules that admit their
	// clients: what a function in the VPC needs until it has answered
	// CloudFormation, on create and on delete.
	Endpoints constructs.DependencyGroup

	endpointSG awsec2.ISecurityGroup
	// s3PrefixList is the ID of the S3 gateway endpoint's managed prefix
	// list, looked up at deployment; nil with InternetEgress.
	s3PrefixList *string
}

// New builds the network.
func New(scope constructs.Construct, id string, props *Props) *Network {
	c := constructs.NewConstruct(scope, &id)
	mask := jsii.Number(props.SubnetPrefix)
	appType := awsec2.SubnetType_PRIVATE_ISOLATED
	if props.InternetEgress {
		appType = awsec2.SubnetType_PRIVATE_WITH_EGRESS
	}
	vpc := awsec2.NewVpc(c, jsii.String("Vpc"), &awsec2.VpcProps{
		IpAddresses:                  awsec2.IpAddresses_Cidr(jsii.String(props.CIDR)),
		AvailabilityZones:            jsii.Strings(props.AZs...),
		NatGateways:                  jsii.Number(props.NatGateways),
		EnableDnsHostnames:           jsii.Bool(true),
		EnableDnsSupport:             jsii.Bool(true),
		RestrictDefaultSecurityGroup: jsii.Bool(true),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{
			{Name: jsii.String(PublicSubnets), SubnetType: awsec2.SubnetType_PUBLIC, CidrMask: mask, MapPublicIpOnLaunch: jsii.Bool(false)},
			{Name: jsii.String(AppSubnets), SubnetType: appType, CidrMask: mask},
			{Name: jsii.String(DataSubnets), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED, CidrMask: mask},
		},
	})
	appZones := placeSubnets(vpc, props.ByZoneID)
	s3 := vpc.AddGatewayEndpoint(jsii.String("S3"), &awsec2.GatewayVpcEndpointOptions{
		Service: awsec2.GatewayVpcEndpointAwsService_S3(),
		Subnets: &[]*awsec2.SubnetSelection{{SubnetGroupName: jsii.String(AppSubnets)}},
	})
	stack := awscdk.Stack_Of(c)
	if !props.InternetEgress {
		for _, st := range s3EndpointPolicy(stack, props.SessionManager) {
			s3.AddToPolicy(st)
		}
	}

	for _, sn := range *vpc.PublicSubnets() {
		compliance.Suppress(sn.Node().FindChild(jsii.String("DefaultRoute")),
			"the Public tier exists to reach the internet: it holds only the internet-facing load balancer and the NAT gateways; no instance is launched in it and it hands out no public IP; the App and Data tiers have no such route (NET-2)",
			"NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW", "HIPAA.Security-VPCNoUnrestrictedRouteToIGW", "PCI.DSS.321-VPCNoUnrestrictedRouteToIGW")
	}

	groupName := logs.StackUnique(c, props.FlowLogGroupName)
	functionGroupName := logs.StackUnique(c, props.FunctionLogGroupName)
	key := logs.NewKey(c, "FlowLogKey", "Encrypts the VPC flow logs of "+props.FlowLogGroupName+" and the logs of the function that empties the default security group", groupName, functionGroupName)
	group := logs.NewGroup(c, "FlowLogGroup", groupName, key, props.LogRetentionDays)
	// CDK's provider of the custom resource that empties the default
	// security group (NET-4) runs a Lambda function that would log into a
	// group of Lambda's own making: unencrypted, kept forever, and left
	// behind. It logs into this one instead.
	functionGroup := logs.NewGroup(c, "DefaultSecurityGroupFunctionLogGroup", functionGroupName, key, props.LogRetentionDays)
	if provider := stack.Node().TryFindChild(jsii.String("Custom::VpcRestrictDefaultSGCustomResourceProvider")); provider != nil {
		handler := provider.Node().FindChild(jsii.String("Handler")).(awscdk.CfnResource)
		handler.AddPropertyOverride(jsii.String("LoggingConfig.LogGroup"), functionGroup.LogGroupName())
	}
	role := awsiam.NewRole(c, jsii.String("FlowLogRole"), &awsiam.RoleProps{
		// Only this account's flow logs may assume it (confused-deputy
		// prevention, VPC user guide, "IAM role for publishing flow logs to
		// CloudWatch Logs").
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("vpc-flow-logs.amazonaws.com"), &awsiam.ServicePrincipalOpts{Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": *stack.Account()},
			"ArnLike":      map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:ec2:%s:%s:vpc-flow-log/*", *stack.Partition(), *stack.Region(), *stack.Account())},
		}}),
		Description: jsii.String("Delivers the VPC flow logs to " + props.FlowLogGroupName),
	})
	flowLog := vpc.AddFlowLog(jsii.String("FlowLog"), &awsec2.FlowLogOptions{
		Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(group, role),
		TrafficType: awsec2.FlowLogTrafficType_ALL,
	})
	// The flow log is created once its role may write: a flow log created
	// before its role's policy stays in "Access error", and changing the
	// policy later does not repair it (terraform-aws-vpc issue 1262).
	flowLog.Node().AddDependency(role)
	compliance.Suppress(role.Node().FindChild(jsii.String("DefaultPolicy")),
		"the flow log service writes to log streams it names itself; the policy is CDK's grant of logs:CreateLogStream, DescribeLogStreams and PutLogEvents on this one log group and its streams (the wildcard is the :* suffix of the log group ARN)",
		"AwsSolutions-IAM5", "NIST.800.53.R5-IAMNoInlinePolicy", "HIPAA.Security-IAMNoInlinePolicy", "PCI.DSS.321-IAMNoInlinePolicy")

	app := awsec2.NewSecurityGroup(c, jsii.String("AppSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String("App tier instances: no rule until a tier grants one"),
		AllowAllOutbound: jsii.Bool(false),
	})
	n := &Network{Construct: c, Vpc: vpc, AppSecurityGroup: app, InterfaceEndpoints: props.InterfaceEndpoints, InternetEgress: props.InternetEgress,
		AppZones: appZones, Endpoints: constructs.NewDependencyGroup(s3)}
	if !props.InternetEgress {
		n.s3PrefixList = s3PrefixList(c, props.LogRetentionDays)
	}

	if props.InterfaceEndpoints {
		n.endpointSG = awsec2.NewSecurityGroup(c, jsii.String("EndpointSecurityGroup"), &awsec2.SecurityGroupProps{
			Vpc:              vpc,
			Description:      jsii.String("Interface endpoints: HTTPS from the security groups granted them only"),
			AllowAllOutbound: jsii.Bool(false),
		})
		type endpoint struct {
			id  string
			svc awsec2.InterfaceVpcEndpointAwsService
		}
		endpoints := []endpoint{
			{"SecretsManagerEndpoint", awsec2.InterfaceVpcEndpointAwsService_SECRETS_MANAGER()},
			{"KmsEndpoint", awsec2.InterfaceVpcEndpointAwsService_KMS()},
		}
		if props.SessionManager {
			endpoints = append(endpoints,
				endpoint{"SsmEndpoint", awsec2.InterfaceVpcEndpointAwsService_SSM()},
				endpoint{"SsmMessagesEndpoint", awsec2.InterfaceVpcEndpointAwsService_SSM_MESSAGES()},
				endpoint{"Ec2MessagesEndpoint", awsec2.InterfaceVpcEndpointAwsService_EC2_MESSAGES()})
		}
		for _, svc := range props.AppServices {
			if !slices.ContainsFunc(endpoints, func(e endpoint) bool { return *e.svc.ShortName() == svc }) {
				endpoints = append(endpoints, endpoint{endpointID(svc), awsec2.NewInterfaceVpcEndpointAwsService(jsii.String(svc), nil, nil, nil)})
			}
		}
		n.Endpoints.Add(n.endpointSG)
		for _, e := range endpoints {
			n.Endpoints.Add(vpc.AddInterfaceEndpoint(jsii.String(e.id), &awsec2.InterfaceVpcEndpointOptions{
				Service:           e.svc,
				PrivateDnsEnabled: jsii.Bool(true),
				Open:              jsii.Bool(false),
				SecurityGroups:    &[]awsec2.ISecurityGroup{n.endpointSG},
				Subnets:           &awsec2.SubnetSelection{SubnetGroupName: jsii.String(AppSubnets)},
			}))
		}
	}
	n.AllowAWSAPIs(app)
	guardDutyEndpoint(c, stack, vpc, app)
	return n
}

// placeSubnets places the subnets by AZ ID when byZoneID: CDK's VPC knows
// zones by name only, so it is given the IDs as names and each subnet's
// AvailabilityZone becomes AvailabilityZoneId (AWS::EC2::Subnet takes
// either). It returns the zone names of the App subnets: as given, or, by
// zone ID, each subnet's AvailabilityZone attribute.
func placeSubnets(vpc awsec2.Vpc, byZoneID bool) []string {
	zoneOf := func(sn awsec2.ISubnet) *string {
		if !byZoneID {
			return sn.AvailabilityZone()
		}
		return sn.Node().DefaultChild().(awsec2.CfnSubnet).AttrAvailabilityZone()
	}
	if byZoneID {
		for _, tier := range []*[]awsec2.ISubnet{vpc.PublicSubnets(), vpc.PrivateSubnets(), vpc.IsolatedSubnets()} {
			for _, sn := range *tier {
				cfn := sn.Node().DefaultChild().(awsec2.CfnSubnet)
				cfn.AddPropertyDeletionOverride(jsii.String("AvailabilityZone"))
				cfn.AddPropertyOverride(jsii.String("AvailabilityZoneId"), sn.AvailabilityZone())
			}
		}
	}
	var appZones []string
	for _, sn := range *vpc.SelectSubnets(Subnets(AppSubnets)).Subnets {
		appZones = append(appZones, *zoneOf(sn))
	}
	return appZones
}

// GuardDutyDataService is the service of the endpoint through which
// GuardDuty's runtime monitoring agent delivers its events
// (com.amazonaws.<region>.guardduty-data).
const GuardDutyDataService = "guardduty-data"

// guardDutyEndpoint declares the VPC endpoint that GuardDuty's runtime
// monitoring agent on the instances delivers to. With the automated agent
// configuration (EC2_AGENT_MANAGEMENT, constructs/detection) GuardDuty
// otherwise creates an endpoint and a security group of its own in every
// VPC that holds a Linux instance, outside CloudFormation, and never
// deletes them ("Disabling, uninstalling, and cleaning up resources in
// Runtime Monitoring"), so that `cdk destroy` of the stack fails on the
// subnets and the VPC. GuardDuty reuses an endpoint that infrastructure as
// code created before it manages the VPC's agents ("Using infrastructure
// as code with GuardDuty automated security agents": "GuardDuty will not
// create its own VPC endpoint and will reuse the one that you created"):
// this one exists before the first instance does, since the instances are
// in the Service stack, deployed after this one. Private DNS, so that the
// agent resolves guardduty-data.<region>.amazonaws.com to it; HTTPS from
// the app tier's security group only, by reference ("Creating Amazon VPC
// endpoint manually": port 443 "from your VPC (or your Amazon EC2
// instance)"); a policy that admits only principals of this account, as
// GuardDuty's documented endpoint policy does. GuardDuty charges nothing
// for it ("There is no additional cost for the usage of the VPC
// endpoint"). It is there in every configuration: the account's
// organization may turn runtime monitoring on when this app does not
// (detectionServices false). The endpoint is deleted with the stack, before
// the subnets (LIFE-6).
func guardDutyEndpoint(c constructs.Construct, stack awscdk.Stack, vpc awsec2.Vpc, app awsec2.ISecurityGroup) {
	sg := awsec2.NewSecurityGroup(c, jsii.String("GuardDutyEndpointSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String("GuardDuty runtime monitoring endpoint: HTTPS from the app tier only"),
		AllowAllOutbound: jsii.Bool(false),
	})
	sg.Connections().AllowFrom(app, awsec2.Port_Tcp(jsii.Number(443)), jsii.String("GuardDuty runtime monitoring agent of the app tier"))
	e := vpc.AddInterfaceEndpoint(jsii.String("GuardDutyDataEndpoint"), &awsec2.InterfaceVpcEndpointOptions{
		Service:           awsec2.NewInterfaceVpcEndpointAwsService(jsii.String(GuardDutyDataService), nil, nil, nil),
		PrivateDnsEnabled: jsii.Bool(true),
		Open:              jsii.Bool(false),
		SecurityGroups:    &[]awsec2.ISecurityGroup{sg},
		Subnets:           &awsec2.SubnetSelection{SubnetGroupName: jsii.String(AppSubnets)},
	})
	e.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("ThisAccountsAgentsOnly"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:PrincipalAccount": *stack.Account()}},
	}))
}

// endpointID is the construct ID of the interface endpoint of a service
// ("ssm": SsmEndpoint).
func endpointID(svc string) string {
	var b strings.Builder
	up := true
	for _, r := range svc {
		switch {
		case r == '-' || r == '.':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String() + "Endpoint"
}

// AllowAWSAPIs lets peer reach Secrets Manager and KMS over HTTPS: through
// the interface endpoints when there are, admitted by security-group
// reference; otherwise through the NAT gateways to the public endpoints.
func (n *Network) AllowAWSAPIs(peer awsec2.IConnectable) {
	https := awsec2.Port_Tcp(jsii.Number(443))
	if n.endpointSG != nil {
		n.endpointSG.Connections().AllowFrom(peer, https, jsii.String("HTTPS to the Secrets Manager and KMS endpoints"))
		return
	}
	peer.Connections().AllowToAnyIpv4(https, jsii.String("HTTPS to AWS APIs through the NAT gateways (interfaceEndpoints is false)"))
}

// AllowOutbound lets peer, in the App subnets, send HTTPS out of the VPC:
// with InternetEgress to any address, through the NAT gateways; without, to
// S3 only, through the gateway endpoint (its managed prefix list).
func (n *Network) AllowOutbound(peer awsec2.IConnectable, why string) {
	https := awsec2.Port_Tcp(jsii.Number(443))
	if n.InternetEgress {
		peer.Connections().AllowToAnyIpv4(https, jsii.String(why+": HTTPS to any address through the NAT gateways (internetEgress is true)"))
		return
	}
	peer.Connections().AllowTo(awsec2.Peer_PrefixList(n.s3PrefixList), https, jsii.String(why+": HTTPS to S3 through the gateway endpoint"))
}

// s3PrefixList looks up, at deployment, the ID of the AWS-managed prefix
// list of S3 in the stack's region (com.amazonaws.<region>.s3, VPC user
// guide, "AWS-managed prefix lists"): the destination of security-group
// rules to the S3 gateway endpoint. Its ID differs per region and is not a
// CloudFormation attribute of the endpoint; a context lookup would break
// hermetic synthesis.
func s3PrefixList(scope constructs.Construct, retentionDays int) *string {
	stack := awscdk.Stack_Of(scope)
	name := "com.amazonaws." + *stack.Region() + ".s3"
	r := sdkcall.New(scope, "S3PrefixList", &sdkcall.Props{
		Call: &customresources.AwsSdkCall{
			Service:            jsii.String("EC2"),
			Action:             jsii.String("describeManagedPrefixLists"),
			Parameters:         map[string]any{"Filters": []map[string]any{{"Name": "prefix-list-name", "Values": []string{name}}}},
			PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String(name)),
			OutputPaths:        jsii.Strings("PrefixLists.0.PrefixListId"),
		},
		Statements: []awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("LookUpTheS3PrefixList"),
			Actions:   jsii.Strings("ec2:DescribeManagedPrefixLists"),
			Resources: jsii.Strings("*"),
		})},
		Wildcards:        "ec2:DescribeManagedPrefixLists, a read-only List action, supports no resource-level permission (Service Authorization Reference): its resource can only be *",
		LogRetentionDays: retentionDays,
	})
	r.Node().DefaultChild().Node().DefaultChild().(awscdk.CfnResource).AddMetadata(jsii.String(controls.IdentityKey), jsii.String(controls.IdentityS3PrefixList))
	return r.GetResponseField(jsii.String("PrefixLists.0.PrefixListId"))
}

// s3EndpointPolicy is the S3 gateway endpoint's policy without internet
// egress, the one way out of the App subnets: any request to a bucket of the
// account (the application bucket, CDK's asset bucket), and, to AWS's own
// buckets, what the instances and functions need: the Amazon Linux 2023
// package repositories (AL2023 user guide, "Kernel Live Patching": the VPC
// endpoint policy must allow them), the responses of custom resources
// (CloudFormation user guide, "Setting up VPC endpoints for AWS
// CloudFormation": the response bucket of each region, named without
// dashes), and with Session Manager the SSM agent's buckets (Systems Manager
// user guide, "SSM Agent communications with AWS managed S3 buckets").
// Anything else, such as an attacker's bucket, is refused inside the VPC.
func s3EndpointPolicy(stack awscdk.Stack, sessionManager bool) []awsiam.PolicyStatement {
	region, partition := *stack.Region(), *stack.Partition()
	bucket := func(name string) string { return fmt.Sprintf("arn:%s:s3:::%s/*", partition, name) }
	anyone := []awsiam.IPrincipal{awsiam.NewAnyPrincipal()}
	reads := []string{bucket("al2023-repos-" + region + "-de612dc2"), bucket("al2023-" + region)}
	if sessionManager {
		reads = append(reads, bucket("amazon-ssm-"+region), bucket("aws-ssm-"+region))
	}
	return []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("TheAccountsBuckets"), Principals: &anyone,
			Actions: jsii.Strings("s3:*"), Resources: jsii.Strings("*"),
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:ResourceAccount": *stack.Account()}},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("AwsPackageBuckets"), Principals: &anyone,
			Actions: jsii.Strings("s3:GetObject"), Resources: jsii.Strings(reads...),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("CustomResourceResponses"), Principals: &anyone,
			Actions:   jsii.Strings("s3:PutObject"),
			Resources: jsii.Strings(bucket("cloudformation-custom-resource-response-" + strings.ReplaceAll(region, "-", ""))),
		}),
	}
}

// Subnets selects the subnets of one tier: PublicSubnets, AppSubnets or
// DataSubnets.
func Subnets(tier string) *awsec2.SubnetSelection {
	return &awsec2.SubnetSelection{SubnetGroupName: jsii.String(tier)}
}

// PinZones states the availability zones of stack, which must not have any
// construct yet. The VPC checks the zones it is given against the stack's,
// and CDK would look those up in the account; stating them keeps synthesis
// hermetic.
func PinZones(stack awscdk.Stack, azs []string) {
	key := fmt.Sprintf("availability-zones:account=%s:region=%s", *stack.Account(), *stack.Region())
	stack.Node().SetContext(jsii.String(key), azs)
}
