package apptier

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/constructs/apptier/sampleapp"
	"github.com/secure-webapp/secure-webapp/constructs/compliance"
	"github.com/secure-webapp/secure-webapp/constructs/database"
	"github.com/secure-webapp/secure-webapp/constructs/databucket"
	"github.com/secure-webapp/secure-webapp/constructs/keys"
	"github.com/secure-webapp/secure-webapp/constructs/network"
	"github.com/secure-webapp/secure-webapp/controls"
)

// UploadPrefix is the one prefix of the application bucket the instances may
// write under.
const UploadPrefix = sampleapp.UploadPrefix

// Props are the inputs of a Tier. All are required unless marked optional.
type Props struct {
	// Network places the instances in its App subnets.
	Network *network.Network
	// SecurityGroup is the instances' security group.
	SecurityGroup awsec2.ISecurityGroup
	// Database is the database the instances connect to, as its own
	// user, with IAM authentication.
	Database *database.Database
	// Bucket is the application bucket (NewBucket), in the stateful stack;
	// the instances write under UploadPrefix.
	Bucket *Bucket
	// InstanceType is an EC2 instance type such as t4g.small.
	InstanceType string
	// MinCapacity and MaxCapacity bound the group.
	MinCapacity, MaxCapacity int
	// Port is the HTTPS port the instances serve on.
	Port int
	// SessionManager adds AmazonSSMManagedInstanceCore to the role.
	SessionManager bool
	// AZs are the zones of the App subnets, which the group names too.
	AZs []string
}

// Interface is what the rest of the app needs of an app tier, whatever
// compute runs it: the load balancer forwards to its target, the network
// and the database admit its security group, and its role has exactly its
// grants. Every kind of app tier records the same identities in the
// template (declare), by which the controls find it.
type Interface interface {
	// LoadBalancerTarget is what the load balancer forwards to.
	LoadBalancerTarget() awselasticloadbalancingv2.IApplicationLoadBalancerTarget
	// Role is the role the tier's code runs as.
	Role() awsiam.IRole
	// SecurityGroup is the tier's security group (DeclareSecurityGroup).
	SecurityGroup() awsec2.ISecurityGroup
	// Grants are the role's permissions: the grant table (grants.go).
	Grants() []Grant
}

// Compute is the kind of compute New builds (controls.StackFacts.AppCompute).
const Compute = controls.ComputeEC2

// Tier is the EC2 app tier: an Auto Scaling group of instances and their
// role.
type Tier struct {
	constructs.Construct
	// Group is the Auto Scaling group.
	Group awsautoscaling.IAutoScalingGroup

	role   awsiam.IRole
	sg     awsec2.ISecurityGroup
	grants []Grant
}

// LoadBalancerTarget implements Interface: the Auto Scaling group.
func (t *Tier) LoadBalancerTarget() awselasticloadbalancingv2.IApplicationLoadBalancerTarget {
	return t.Group.(awselasticloadbalancingv2.IApplicationLoadBalancerTarget)
}

// Role implements Interface: the instances' role.
func (t *Tier) Role() awsiam.IRole { return t.role }

// SecurityGroup implements Interface: the instances' security group.
func (t *Tier) SecurityGroup() awsec2.ISecurityGroup { return t.sg }

// Grants implements Interface.
func (t *Tier) Grants() []Grant { return t.grants }

// DeclareSecurityGroup records that sg is the app tier's security group
// (controls.IdentityAppSecurityGroup), where it is created: the app tier's
// controls, DB-8 and EDGE-1 find it so.
func DeclareSecurityGroup(sg awsec2.ISecurityGroup) {
	sg.Node().DefaultChild().(awscdk.CfnResource).AddMetadata(jsii.String(controls.IdentityKey), jsii.String(controls.IdentityAppSecurityGroup))
}

// declare records the identities of an app tier in its template: its role,
// with the grant table its policy was built from, and its compute.
func declare(role awsiam.Role, rows []any, compute awscdk.CfnResource) {
	cfn := role.Node().DefaultChild().(awscdk.CfnResource)
	cfn.AddMetadata(jsii.String(controls.IdentityKey), jsii.String(controls.IdentityAppRole))
	cfn.AddMetadata(jsii.String(controls.GrantsKey), rows)
	compute.AddMetadata(jsii.String(controls.IdentityKey), jsii.String(controls.IdentityAppCompute))
}

// BucketProps are the inputs of NewBucket.
type BucketProps struct {
	// AccessLogs receives the bucket's server access logs.
	AccessLogs awss3.IBucket
}

// Bucket is the application bucket and its key. It holds the application's
// data, so it lives with the database, not with the instances that use it.
type Bucket struct {
	constructs.Construct
	Bucket awss3.IBucket
	Key    awskms.IKey
}

// NewBucket builds the application bucket.
func NewBucket(scope constructs.Construct, id string, props *BucketProps) *Bucket {
	c := constructs.NewConstruct(scope, &id)
	key := keys.New(c, "Key", &keys.Props{Description: "Encrypts the objects of the application bucket", UsedThrough: []string{"s3"}})
	bucket := databucket.New(c, "Bucket", &databucket.Props{
		Key: key, AccessLogs: props.AccessLogs, AccessLogPrefix: "app-bucket/",
		Replication: "cross-region replication is a disaster-recovery choice left to the forker; the bucket is versioned and retained",
	})
	bucket.Node().DefaultChild().(awscdk.CfnResource).AddMetadata(jsii.String(controls.IdentityKey), jsii.String(controls.IdentityApplicationBucket))
	// Object events go to EventBridge, where a fork can hook malware scanning
	// or indexing. Set on the L1 bucket: CDK's EventBridgeEnabled would add a
	// Lambda-backed custom resource for what CloudFormation does natively.
	bucket.Node().DefaultChild().(awss3.CfnBucket).SetNotificationConfiguration(&awss3.CfnBucket_NotificationConfigurationProperty{
		EventBridgeConfiguration: &awss3.CfnBucket_EventBridgeConfigurationProperty{EventBridgeEnabled: jsii.Bool(true)},
	})
	return &Bucket{Construct: c, Bucket: bucket, Key: key}
}

// New builds the app tier.
func New(scope constructs.Construct, id string, props *Props) *Tier {
	c := constructs.NewConstruct(scope, &id)
	stack := awscdk.Stack_Of(c)
	region := *stack.Region()

	bucket := props.Bucket.Bucket

	role := awsiam.NewRole(c, jsii.String("InstanceRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
		Description: jsii.String("App instances: connect to the database as " + props.Database.AppUser + ", write under " + UploadPrefix + "/ of the application bucket"),
	})
	grants := Grants()
	if err := CheckGrants(grants); err != nil {
		panic(err) // the table is code: a row that does not make sense is a bug of this fork, named by the message
	}
	sts, rows := statements(grants, grantTargets{stack: stack, database: props.Database, bucket: props.Bucket})
	policy := awsiam.NewManagedPolicy(c, jsii.String("InstancePolicy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("The app instances' only permissions"),
		Roles:       &[]awsiam.IRole{role},
		Statements:  &sts,
	})
	compliance.Suppress(policy.Node().DefaultChild(), "the wildcard is the object key under the one upload prefix ("+UploadPrefix+"/*) of the one application bucket: the keys the application writes are not known in advance",
		"AwsSolutions-IAM5")
	if props.SessionManager {
		role.AddManagedPolicy(awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AmazonSSMManagedInstanceCore")))
		compliance.Suppress(role, "AmazonSSMManagedInstanceCore is the policy Session Manager documents for its agent; it is attached only when sessionManager is true",
			"AwsSolutions-IAM4")
	}

	db := props.Database
	ud, err := sampleapp.UserData(sampleapp.Settings{
		Region: region, Bucket: *bucket.BucketName(), Port: props.Port,
		DBHost: *db.Instance.DbInstanceEndpointAddress(), DBPort: *db.Instance.DbInstanceEndpointPort(),
		DBName: db.Name, DBUser: db.AppUser, CABundle: db.CABundle,
	})
	if err != nil {
		panic(err) // the template is embedded and sampleapp.TestUserData renders it: a bug, not a user mistake
	}
	itype := awsec2.NewInstanceType(jsii.String(props.InstanceType))
	cpu := awsec2.AmazonLinuxCpuType_X86_64
	if itype.Architecture() == awsec2.InstanceArchitecture_ARM_64 {
		cpu = awsec2.AmazonLinuxCpuType_ARM_64
	}
	lt := awsec2.NewLaunchTemplate(c, jsii.String("LaunchTemplate"), &awsec2.LaunchTemplateProps{
		InstanceType:             itype,
		MachineImage:             awsec2.MachineImage_LatestAmazonLinux2023(&awsec2.AmazonLinux2023ImageSsmParameterProps{CpuType: cpu, Kernel: awsec2.AmazonLinux2023Kernel_DEFAULT()}),
		Role:                     role,
		SecurityGroup:            props.SecurityGroup,
		UserData:                 awsec2.UserData_Custom(jsii.String(ud)),
		HttpEndpoint:             jsii.Bool(true),
		HttpTokens:               awsec2.LaunchTemplateHttpTokens_REQUIRED,
		HttpPutResponseHopLimit:  jsii.Number(1),
		AssociatePublicIpAddress: jsii.Bool(false),
		DetailedMonitoring:       jsii.Bool(true),
		BlockDevices: &[]*awsec2.BlockDevice{{
			DeviceName: jsii.String("/dev/xvda"),
			Volume: awsec2.BlockDeviceVolume_Ebs(jsii.Number(20), &awsec2.EbsDeviceOptions{
				Encrypted: jsii.Bool(true), VolumeType: awsec2.EbsDeviceVolumeType_GP3, DeleteOnTermination: jsii.Bool(true),
			}),
		}},
	})
	group := awsautoscaling.NewAutoScalingGroup(c, jsii.String("Group"), &awsautoscaling.AutoScalingGroupProps{
		Vpc:            props.Network.Vpc,
		VpcSubnets:     network.Subnets(network.AppSubnets),
		LaunchTemplate: lt,
		MinCapacity:    jsii.Number(props.MinCapacity),
		MaxCapacity:    jsii.Number(props.MaxCapacity),
		HealthChecks: awsautoscaling.HealthChecks_WithAdditionalChecks(&awsautoscaling.AdditionalHealthChecksOptions{
			AdditionalTypes: &[]awsautoscaling.AdditionalHealthCheckType{awsautoscaling.AdditionalHealthCheckType_ELB},
			GracePeriod:     awscdk.Duration_Minutes(jsii.Number(5)),
		}),
		UpdatePolicy: awsautoscaling.UpdatePolicy_RollingUpdate(&awsautoscaling.RollingUpdateOptions{}),
		GroupMetrics: &[]awsautoscaling.GroupMetrics{awsautoscaling.GroupMetrics_All()},
		// No Notifications: Auto Scaling publishes them as its service-linked
		// role, which the alerts topic's key cannot admit (SNS's key
		// management guide). Failed launches and terminations reach the
		// topic through the alerts construct's EventBridge rule instead.
	})
	compliance.Suppress(group.Node().DefaultChild(), "Auto Scaling publishes its notifications as its service-linked role, which the alerts topic's customer-managed key cannot admit; failed launches and terminations reach the alerts topic through an EventBridge rule of the account baseline instead (constructs/alerts, LIFE-4)",
		"AwsSolutions-AS3")
	// The subnets already fix the zones; naming them as well lets Control
	// Tower's CT.AUTOSCALING.PR.1 see that there are several.
	group.Node().DefaultChild().(awsautoscaling.CfnAutoScalingGroup).SetAvailabilityZones(jsii.Strings(props.AZs...))
	declare(role, rows, group.Node().DefaultChild().(awscdk.CfnResource))
	return &Tier{Construct: c, Group: group, role: role, sg: props.SecurityGroup, grants: grants}
}
