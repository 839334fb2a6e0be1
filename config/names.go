package config

import (
	"fmt"
	"strings"
)

// The names below are fixed in advance: the stacks' names, and the names
// that cross the account boundary (the log-archive stack creates the
// resource and the baseline stack's trail points at it by this name). The
// stacks call these methods; nothing else spells them.

// Partition is the AWS partition of the configured region.
func (c *Config) Partition() string {
	switch {
	case strings.HasPrefix(c.Region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(c.Region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// LogArchiveStackName is the CloudFormation name of the log-archive stack.
func (c *Config) LogArchiveStackName() string { return c.AppName + "-log-archive" }

// BaselineStackName is the CloudFormation name of the workload account's
// baseline stack.
func (c *Config) BaselineStackName() string { return c.AppName + "-baseline" }

// LoggingBaselineStackName is the CloudFormation name of the logging
// account's baseline stack in the home region.
func (c *Config) LoggingBaselineStackName() string { return c.AppName + "-logging-baseline" }

// RegionalBaselineStackName is the CloudFormation name of an account's
// baseline stack in a governed region other than the home region: the home
// region's baseline name, followed by the region.
func (c *Config) RegionalBaselineStackName(logging bool, region string) string {
	if logging {
		return c.LoggingBaselineStackName() + "-" + region
	}
	return c.BaselineStackName() + "-" + region
}

// DataStackName is the CloudFormation name of the stateful workload stack.
func (c *Config) DataStackName() string { return c.AppName + "-data" }

// ServiceStackName is the CloudFormation name of the stateless workload
// stack.
func (c *Config) ServiceStackName() string { return c.AppName + "-service" }

// Tags are the tags every resource carries: project and profile, then the
// configured ones.
func (c *Config) Tags() [][2]string {
	return append([][2]string{{"project", c.AppName}, {"profile", string(c.Profile)}}, c.Org.TagList()...)
}

// BoundaryARN is the ARN of the permissions boundary in account (a name is
// a customer-managed policy of that account), or "" when none is set.
func (c *Config) BoundaryARN(account string) string {
	b := c.Org.PermissionsBoundary
	if b == "" || strings.HasPrefix(b, "arn:") {
		return b
	}
	return fmt.Sprintf("arn:%s:iam::%s:policy/%s", c.Partition(), account, b)
}

// GitHubDeployStackName is the CloudFormation name of the optional GitHub
// Actions deploy stack.
func (c *Config) GitHubDeployStackName() string { return c.AppName + "-github-deploy" }

// BootstrapQualifier is the CDK bootstrap's default qualifier, and
// BootstrapRoles the roles the CDK CLI assumes to deploy: their names are
// cdk-<qualifier>-<role>-<account>-<region>.
const BootstrapQualifier = "hnb659fds"

var BootstrapRoles = []string{"deploy-role", "file-publishing-role", "image-publishing-role", "lookup-role"}

// BootstrapRoleARN is the ARN of one of the CDK bootstrap roles of account
// in the configured region; role is one of BootstrapRoles or
// "cfn-exec-role", the role CloudFormation deploys with.
func (c *Config) BootstrapRoleARN(account, role string) string {
	return c.BootstrapRoleARNIn(account, c.Region, role)
}

// BootstrapRoleARNIn is BootstrapRoleARN in region, one of the governed
// regions, each bootstrapped in both accounts.
func (c *Config) BootstrapRoleARNIn(account, region, role string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/cdk-%s-%s-%s-%s", c.Partition(), account, BootstrapQualifier, role, account, region)
}

// BreakGlassRoleARN is the ARN of the logging account's break-glass role.
func (c *Config) BreakGlassRoleARN() string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", c.Partition(), c.LoggingAccount, c.LogArchive.BreakGlassRole)
}

// ArchiveGuardians are the only principals that may change the log
// archive's protections: the break-glass role, and the CloudFormation
// execution role of the logging account's CDK bootstrap, which deploys the
// log archive and must update its policies.
func (c *Config) ArchiveGuardians() []string {
	return []string{c.BreakGlassRoleARN(), c.BootstrapRoleARN(c.LoggingAccount, "cfn-exec-role")}
}

// TrailName is the name of the workload account's CloudTrail trail.
func (c *Config) TrailName() string { return c.AppName + "-trail" }

// TrailARN is the ARN of the workload account's trail, which the log
// archive's bucket and key policies admit, with the logging account's own.
func (c *Config) TrailARN() string {
	return fmt.Sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", c.Partition(), c.Region, c.WorkloadAccount, c.TrailName())
}

// LoggingTrailName is the name of the logging account's own trail, which
// records what its administrators do into the archive.
func (c *Config) LoggingTrailName() string { return c.AppName + "-logging-trail" }

// LoggingTrailARN is the ARN of the logging account's own trail.
func (c *Config) LoggingTrailARN() string {
	return fmt.Sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", c.Partition(), c.Region, c.LoggingAccount, c.LoggingTrailName())
}

// TrailBucketName is the name of the CloudTrail bucket in the logging account.
func (c *Config) TrailBucketName() string {
	return fmt.Sprintf("%s-cloudtrail-%s-%s", c.AppName, c.LoggingAccount, c.Region)
}

// TrailKeyAlias is the alias of the log archive's KMS key.
func (c *Config) TrailKeyAlias() string { return "alias/" + c.AppName + "/cloudtrail" }

// TrailKeyAliasARN is the ARN of TrailKeyAlias, which the trail names as its
// encryption key from the other account.
func (c *Config) TrailKeyAliasARN() string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:%s", c.Partition(), c.Region, c.LoggingAccount, c.TrailKeyAlias())
}

// DatabaseIdentifier is the start of the RDS instance identifier, which the
// database construct completes with the stack's unique suffix. RDS names
// the database's log groups after it (/aws/rds/instance/<identifier>/<log>),
// so the data stack creates those groups, encrypted and retained, before the
// database.
func (c *Config) DatabaseIdentifier() string { return c.AppName + "-db" }
