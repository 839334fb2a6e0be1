package githubdeploy

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/controls"
)

// MaxSessionHours is the longest the deploy role's credentials last.
const MaxSessionHours = 3

// Props are the inputs of a Deploy. All are required unless marked optional.
type Props struct {
	// Repository is "owner/repo".
	Repository string
	// Environment is the GitHub environment whose workflow runs may deploy.
	Environment string
	// ProviderARN (optional) is the account's existing GitHub OIDC provider;
	// empty creates one.
	ProviderARN string
	// BootstrapRoleARNs are the CDK bootstrap roles the role may assume.
	BootstrapRoleARNs []string
}

// Deploy is the OIDC provider and the deploy role.
type Deploy struct {
	constructs.Construct
	Role awsiam.IRole
}

// New builds the deploy role (and the provider).
func New(scope constructs.Construct, id string, props *Props) *Deploy {
	c := constructs.NewConstruct(scope, &id)
	provider := props.ProviderARN
	if provider == "" {
		p := awsiam.NewCfnOIDCProvider(c, jsii.String("Provider"), &awsiam.CfnOIDCProviderProps{
			Url:          jsii.String("https://" + controls.GitHubTokenIssuer),
			ClientIdList: jsii.Strings(controls.GitHubAudience),
			// IAM verifies GitHub's tokens through its library of trusted
			// certificate authorities and no longer reads this thumbprint
			// (IAM API reference, UpdateOpenIDConnectProviderThumbprint);
			// it is given because older API versions require one.
			ThumbprintList: jsii.Strings("6938fd4d98bab03faadb97b34396831e3780aea1"),
		})
		provider = *p.AttrArn()
	}
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		Description: jsii.String(fmt.Sprintf("GitHub Actions deployments of %s from its %q environment: assumes the CDK bootstrap roles, nothing else", props.Repository, props.Environment)),
		AssumedBy: awsiam.NewFederatedPrincipal(jsii.String(provider), &map[string]any{
			"StringEquals": map[string]any{
				controls.GitHubTokenIssuer + ":aud": controls.GitHubAudience,
				controls.GitHubTokenIssuer + ":sub": controls.GitHubSubject(props.Repository, props.Environment),
			},
		}, jsii.String("sts:AssumeRoleWithWebIdentity")),
		// A first deployment takes up to an hour and a half, and the CDK CLI
		// re-assumes the bootstrap roles with these credentials throughout
		// (aws-cdk issue 19359: expired base credentials fail the deploy).
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(MaxSessionHours)),
	})
	roles := jsii.Strings(props.BootstrapRoleARNs...)
	awsiam.NewManagedPolicy(c, jsii.String("Policy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("The deploy role's only permission: assume the CDK bootstrap roles"),
		Roles:       &[]awsiam.IRole{role},
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("AssumeTheCdkBootstrapRoles"),
			Actions:   jsii.Strings("sts:AssumeRole"),
			Resources: roles,
		})},
	})
	return &Deploy{Construct: c, Role: role}
}
