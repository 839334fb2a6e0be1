package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-webapp/secure-webapp/config"
	"github.com/secure-webapp/secure-webapp/constructs/githubdeploy"
)

// GitHubDeployStack holds the role that GitHub Actions deploys with.
type GitHubDeployStack struct {
	awscdk.Stack
	Deploy *githubdeploy.Deploy
}

// NewGitHubDeployStack builds the GitHub Actions deploy role in
// cfg.WorkloadAccount, for the GitHub environment named after the profile.
// It depends on no other stack: an administrator deploys it once, and the
// workflow deploys everything else with it.
func NewGitHubDeployStack(scope constructs.Construct, id string, cfg *config.Config) *GitHubDeployStack {
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(cfg, cfg.WorkloadAccount, cfg.GitHubDeployStackName(), false,
		"GitHub Actions deploy role of "+cfg.AppName+": "+cfg.GitHub.Repository+" ("+string(cfg.Profile)+" environment) may assume the CDK bootstrap roles, through OIDC"))
	d := githubdeploy.New(stack, "GitHub", &githubdeploy.Props{
		Repository:        cfg.GitHub.Repository,
		Environment:       string(cfg.Profile),
		ProviderARN:       cfg.GitHub.OIDCProviderARN,
		BootstrapRoleARNs: bootstrapRoles(cfg),
	})
	awscdk.NewCfnOutput(stack, jsii.String("DeployRoleArn"), &awscdk.CfnOutputProps{
		Description: jsii.String("Set as the GitHub environment variable AWS_DEPLOY_ROLE_ARN of the " + string(cfg.Profile) + " environment"),
		Value:       d.Role.RoleArn(),
	})
	return &GitHubDeployStack{Stack: stack, Deploy: d}
}

// bootstrapRoles are the CDK bootstrap roles, in both accounts, that a
// deployment assumes.
func bootstrapRoles(cfg *config.Config) []string {
	var out []string
	for _, account := range []string{cfg.WorkloadAccount, cfg.LoggingAccount} {
		for _, region := range cfg.GovernedRegions() {
			for _, r := range config.BootstrapRoles {
				out = append(out, cfg.BootstrapRoleARNIn(account, region, r))
			}
		}
	}
	return out
}
