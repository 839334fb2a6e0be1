package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/apptier"
	"github.com/secure-webapp/secure-webapp/constructs/edge"
)

// ServiceStack is the stateless part of the workload: the instances, the
// load balancer, its certificate and its web ACL. It holds nothing that
// cannot be rebuilt, so it can be destroyed and deployed again at will.
type ServiceStack struct {
	awscdk.Stack
	Tier apptier.Interface
	Edge *edge.Edge
}

// NewServiceStack builds the stateless workload in cfg.WorkloadAccount, on
// the network, database and buckets of data.
func NewServiceStack(scope constructs.Construct, id string, cfg *config.Config, data *DataStack) *ServiceStack {
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(cfg, cfg.WorkloadAccount, cfg.ServiceStackName(), false,
		"Stateless workload of "+cfg.AppName+": app instances, HTTPS load balancer, certificate and web ACL"))
	// The app tier's security group lives with the network, where the
	// database admits it; imported here, the rules this stack adds to it
	// (the load balancer's ingress) are created and deleted with this stack,
	// and the data stack never refers to the load balancer.
	appSG := awsec2.SecurityGroup_FromSecurityGroupId(stack, jsii.String("AppSecurityGroup"), data.Network.AppSecurityGroup.SecurityGroupId(),
		&awsec2.SecurityGroupImportOptions{AllowAllOutbound: jsii.Bool(false), Mutable: jsii.Bool(true)})
	tier := apptier.New(stack, "App", &apptier.Props{
		Network:        data.Network,
		SecurityGroup:  appSG,
		Database:       data.Database,
		Bucket:         data.AppBucket,
		InstanceType:   cfg.App.InstanceType,
		MinCapacity:    cfg.App.MinCapacity,
		MaxCapacity:    cfg.App.MaxCapacity,
		Port:           cfg.App.Port,
		SessionManager: cfg.App.SessionManager,
		AZs:            data.Network.AppZones,
	})
	e := edge.New(stack, "Edge", &edge.Props{
		Network:            data.Network,
		Target:             tier.LoadBalancerTarget(),
		TargetPort:         cfg.App.Port,
		DomainName:         cfg.DomainName,
		HostedZoneID:       cfg.HostedZoneID,
		CertificateARN:     cfg.CertificateARN,
		DeletionProtection: cfg.Profile == config.Production,
		AccessLogs:         data.AccessLogs,
		WAFLogGroupName:    "aws-waf-logs-" + cfg.AppName,
		LogRetentionDays:   cfg.LogRetentionDays,
	})
	awscdk.NewCfnOutput(stack, jsii.String("LoadBalancerDnsName"), &awscdk.CfnOutputProps{
		Description: jsii.String("Point " + cfg.DomainName + " here (CNAME or alias) unless hostedZoneId is set"),
		Value:       e.LoadBalancer.LoadBalancerDnsName(),
	})
	return &ServiceStack{Stack: stack, Tier: tier, Edge: e}
}
