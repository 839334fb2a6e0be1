package config

import (
	"os"
	"strings"
	"testing"
)

func TestDefaults(t *testing.T) {
	c, err := Load(nil)
	if err != nil {
		t.Fatalf("Load(nil): %v", err)
	}
	want := Config{
		AppName: "secure-webapp", WorkloadAccount: "111111111111", LoggingAccount: "222222222222",
		Region: "us-east-1", Profile: Sandbox, DomainName: "app.example.com",
		App:              App{InstanceType: "t4g.small", MinCapacity: 2, MaxCapacity: 4, Port: 8443},
		Network:          Network{CIDR: "10.0.0.0/16", AZCount: 2, NatGateways: 1, InterfaceEndpoints: true},
		Database:         Database{InstanceClass: "db.t4g.micro", StorageGiB: 20, BackupDays: 7, RotationDays: 30, Port: 5432},
		LogRetentionDays: 365,
		Detection:        Detection{Services: true, TrailS3DataEvents: true},
		LogArchive:       LogArchive{LockMode: "GOVERNANCE", LockDays: 1, TransitionDays: 30, ExpirationDays: 90, BreakGlassRole: "secure-webapp-archive-break-glass"},
		NagReports:       true,
	}
	if *c != want {
		t.Errorf("defaults:\n got %+v\nwant %+v", *c, want)
	}
}

func TestProductionDefaults(t *testing.T) {
	c, err := Load(map[string]any{"profile": "production"})
	if err != nil {
		t.Fatal(err)
	}
	want := LogArchive{LockMode: "COMPLIANCE", LockDays: 365, TransitionDays: 90, ExpirationDays: 2557, BreakGlassRole: "secure-webapp-archive-break-glass"}
	if c.LogArchive != want {
		t.Errorf("production log archive: got %+v, want %+v", c.LogArchive, want)
	}
	// One NAT gateway per zone follows azCount, whether defaulted or set.
	wantNet := Network{CIDR: "10.0.0.0/16", AZCount: 3, NatGateways: 3, InterfaceEndpoints: true}
	if c.Network != wantNet {
		t.Errorf("production network: got %+v, want %+v", c.Network, wantNet)
	}
	c, err = Load(map[string]any{"profile": "production", "azCount": "2"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Network.NatGateways != 2 {
		t.Errorf("production with azCount 2: natGateways = %d, want 2", c.Network.NatGateways)
	}
	if got := c.Network.AZs(c.Region); strings.Join(got, ",") != "us-east-1a,us-east-1b" {
		t.Errorf("AZs = %v", got)
	}
	if c.Database.BackupDays != 30 || c.LogRetentionDays != 365 {
		t.Errorf("production database/logs: %+v, %d", c.Database, c.LogRetentionDays)
	}
}

// TestValid lists values that every rule must accept, in the types that
// cdk.json (JSON) and `-c key=value` (strings) deliver.
func TestValid(t *testing.T) {
	cases := []struct {
		name string
		ctx  map[string]any
	}{
		{"appName", map[string]any{"appName": "shop-42"}},
		{"accounts", map[string]any{"workloadAccount": "012345678901", "loggingAccount": "999999999999", "domainName": "shop.example.co.uk"}},
		{"app tier", map[string]any{"instanceType": "c7i.2xlarge", "appMinCapacity": "1", "appMaxCapacity": float64(1), "appPort": "9443", "sessionManager": true}},
		{"region eu", map[string]any{"region": "eu-west-2"}},
		{"three governed regions", map[string]any{"governedRegions": "eu-west-1, us-east-1,ap-southeast-2"}},
		{"profile", map[string]any{"profile": "production"}},
		{"domain", map[string]any{"domainName": "app.example.com"}},
		{"domain and zone", map[string]any{"domainName": "app.example.com", "hostedZoneId": "Z0123456789ABCDEFGHIJ"}},
		{"domain and certificate", map[string]any{"domainName": "app.example.com",
			"certificateArn": "arn:aws:acm:us-east-1:111111111111:certificate/12345678-90ab-cdef-1234-567890abcdef"}},
		{"alertEmail", map[string]any{"alertEmail": "security+alerts@example.com"}},
		{"vpcCidr /16", map[string]any{"vpcCidr": "172.16.0.0/16"}},
		{"vpcCidr /24", map[string]any{"vpcCidr": "192.168.10.0/24"}},
		{"lock days as JSON number", map[string]any{"logLockDays": float64(30)}},
		{"lock days as -c string", map[string]any{"logLockDays": "30"}},
		{"lock mode", map[string]any{"logLockMode": "COMPLIANCE"}},
		{"zones", map[string]any{"azCount": float64(3), "availabilityZones": "us-east-1a, us-east-1c,us-east-1d"}},
		{"six zones in a /16", map[string]any{"azCount": "6", "natGateways": "2", "internetEgress": true}},
		{"two zones in a /24", map[string]any{"vpcCidr": "10.0.0.0/24"}},
		{"endpoints off as JSON", map[string]any{"interfaceEndpoints": false, "internetEgress": true}},
		{"endpoints off as -c string", map[string]any{"interfaceEndpoints": "false", "internetEgress": "true"}},
		{"log retention", map[string]any{"logRetentionDays": "731"}},
		{"db class", map[string]any{"dbInstanceClass": "db.r7g.12xlarge"}},
		{"db backups", map[string]any{"dbBackupRetentionDays": float64(35)}},
		{"db rotation", map[string]any{"dbSecretRotationDays": "1"}},
		{"db port", map[string]any{"dbPort": "6543"}},
		{"zone IDs", map[string]any{"availabilityZoneIds": "use1-az1, use1-az6"}},
		{"zone IDs of Tokyo", map[string]any{"region": "ap-northeast-1", "availabilityZoneIds": "apne1-az4,apne1-az1"}},
		{"no nag reports", map[string]any{"nagReports": "false"}},
		{"central detection", map[string]any{"detectionServices": "false"}},
		{"standards", map[string]any{"securityHubExtraStandards": "pci-dss, nist-800-53", "trailS3DataEvents": "false"}},
		{"break-glass role", map[string]any{"breakGlassRoleName": "security-break-glass"}},
		{"boundary by name", map[string]any{"permissionsBoundary": "org-boundary"}},
		{"boundary by ARN", map[string]any{"permissionsBoundary": "arn:aws:iam::111111111111:policy/guardrails/boundary"}},
		{"tags", map[string]any{"tags": "cost-center=42,owner=secops,empty=,Name=web app"}},
		{"github", map[string]any{"githubRepository": "my-org/secure.webapp_1", "hostedZoneId": "Z0123456789ABCDEFGHIJ",
			"githubOidcProviderArn": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}},
		{"CDK keys are ignored", map[string]any{"@aws-cdk/core:checkSecretUsage": true,
			"aws:cdk:enable-path-metadata": true, "acknowledged-issue-numbers": []any{1234.0},
			"availability-zones:account=111111111111:region=us-east-1": []any{"us-east-1a"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Load(tc.ctx); err != nil {
				t.Errorf("Load(%v): %v", tc.ctx, err)
			}
		})
	}
}

// TestInvalid covers every rule: each case names the key the error must name
// and a fragment of the message.
func TestInvalid(t *testing.T) {
	cert := func(region, account string) string {
		return "arn:aws:acm:" + region + ":" + account + ":certificate/12345678-90ab-cdef-1234-567890abcdef"
	}
	cases := []struct {
		name, key, fragment string
		ctx                 map[string]any
	}{
		{"unknown key", "vpcCIDR", `did you mean "vpcCidr"`, map[string]any{"vpcCIDR": "10.0.0.0/16"}},
		{"break-glass role name", "breakGlassRoleName", "IAM role name", map[string]any{"breakGlassRoleName": "role/with/slashes"}},
		{"boundary name", "permissionsBoundary", "not a managed policy name", map[string]any{"permissionsBoundary": "no spaces"}},
		{"boundary ARN", "permissionsBoundary", "not a managed policy ARN", map[string]any{"permissionsBoundary": "arn:aws:iam::111111111111:role/boundary"}},
		{"boundary of another account", "permissionsBoundary", "its own account", map[string]any{"permissionsBoundary": "arn:aws:iam::333333333333:policy/boundary"}},
		{"tag without =", "tags", "is not key=value", map[string]any{"tags": "owner"}},
		{"tag aws: prefix", "tags", "aws: prefix", map[string]any{"tags": "aws:owner=x"}},
		{"tag twice", "tags", "given twice", map[string]any{"tags": "a=1,a=2"}},
		{"tag reserved", "tags", "set by the app itself", map[string]any{"tags": "project=x"}},
		{"tag character", "tags", "character tags do not allow", map[string]any{"tags": "owner=a;b"}},
		{"tag key too long", "tags", "1 to 128", map[string]any{"tags": strings.Repeat("k", 129) + "=v"}},
		{"github deploy waiting for a certificate", "hostedZoneId", "nor certificateArn, while githubRepository (o/r) deploys unattended", map[string]any{"githubRepository": "o/r"}},
		{"github not owner/repo", "githubRepository", "not owner/repo", map[string]any{"githubRepository": "secure-webapp"}},
		{"github owner", "githubRepository", "owner", map[string]any{"githubRepository": "-bad/repo"}},
		{"github owner too long", "githubRepository", "owner", map[string]any{"githubRepository": strings.Repeat("a-", 20) + "a/repo"}},
		{"github provider account", "githubOidcProviderArn", "belongs to account 333333333333", map[string]any{"githubRepository": "o/r",
			"githubOidcProviderArn": "arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com"}},
		{"github provider without repository", "githubOidcProviderArn", "githubRepository is not", map[string]any{
			"githubOidcProviderArn": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}},
		{"github provider host", "githubOidcProviderArn", "allowed", map[string]any{"githubRepository": "o/r",
			"githubOidcProviderArn": "arn:aws:iam::111111111111:oidc-provider/example.com"}},
		{"unknown key far from any", "banana", "unknown setting", map[string]any{"banana": "1"}},
		{"appName upper case", "appName", "lowercase", map[string]any{"appName": "Secure"}},
		{"appName too long", "appName", "3 to 24", map[string]any{"appName": strings.Repeat("a", 25)}},
		{"appName double hyphen", "appName", "single hyphens", map[string]any{"appName": "my--app"}},
		{"db storage", "dbStorageGiB", "from 20 to 13107", map[string]any{"dbStorageGiB": "10"}},
		{"db port", "dbPort", "from 1150 to 65535", map[string]any{"dbPort": "80"}},
		{"appName trailing hyphen", "appName", "not ending with a hyphen", map[string]any{"appName": "app-"}},
		{"account short", "workloadAccount", "12-digit", map[string]any{"workloadAccount": "12345"}},
		{"account as number", "loggingAccount", "must be a string", map[string]any{"loggingAccount": float64(222222222222)}},
		{"region", "region", "region code", map[string]any{"region": "US-EAST-1"}},
		{"profile", "profile", "sandbox, production", map[string]any{"profile": "prod"}},
		{"domain one label", "domainName", "two labels", map[string]any{"domainName": "localhost"}},
		{"domain wildcard", "domainName", "not a lowercase DNS label", map[string]any{"domainName": "*.example.com"}},
		{"hosted zone", "hostedZoneId", "hosted zone ID", map[string]any{"domainName": "a.example.com", "hostedZoneId": "abc"}},
		{"detection services no", "detectionServices", "true or false", map[string]any{"detectionServices": "no"}},
		{"unknown standard", "securityHubExtraStandards", `"hipaa" is not a standard`, map[string]any{"securityHubExtraStandards": "pci-dss,hipaa"}},
		{"standard twice", "securityHubExtraStandards", "listed twice", map[string]any{"securityHubExtraStandards": "pci-dss,pci-dss"}},
		{"trail into the workload account", "loggingAccount", "separate logging account", map[string]any{"loggingAccount": "111111111111"}},
		{"placeholder domain with a real account", "domainName", "placeholder", map[string]any{"workloadAccount": "012345678901"}},
		{"example domain with a real account", "domainName", "reserved example name", map[string]any{"workloadAccount": "012345678901", "domainName": "shop.example.org"}},
		{"instance type", "instanceType", "t4g.small", map[string]any{"instanceType": "t4g"}},
		{"instance type with db prefix", "instanceType", "such as", map[string]any{"instanceType": "db.t4g.small"}},
		{"no instances", "appMinCapacity", "from 1 to 100", map[string]any{"appMinCapacity": "0"}},
		{"max below min", "appMaxCapacity", "at least appMinCapacity (3)", map[string]any{"appMinCapacity": "3", "appMaxCapacity": "2"}},
		{"privileged port", "appPort", "from 1024 to 65535", map[string]any{"appPort": "443"}},
		{"session manager yes", "sessionManager", "true or false", map[string]any{"sessionManager": "yes"}},
		{"certificate malformed", "certificateArn", "certificate/<uuid>", map[string]any{"domainName": "a.example.com", "certificateArn": "arn:aws:acm:us-east-1:111111111111:cert/x"}},
		{"certificate wrong region", "certificateArn", "is in region eu-west-1", map[string]any{"domainName": "a.example.com", "certificateArn": cert("eu-west-1", "111111111111")}},
		{"certificate wrong account", "certificateArn", "belongs to account 333333333333", map[string]any{"domainName": "a.example.com", "certificateArn": cert("us-east-1", "333333333333")}},
		{"certificate and zone", "certificateArn", "not both", map[string]any{"domainName": "a.example.com", "hostedZoneId": "Z0123456789", "certificateArn": cert("us-east-1", "111111111111")}},
		{"email", "alertEmail", "e-mail", map[string]any{"alertEmail": "security"}},
		{"cidr prefix too long", "vpcCidr", "/33", map[string]any{"vpcCidr": "10.0.0.0/33"}},
		{"cidr prefix too short", "vpcCidr", "/8 is outside", map[string]any{"vpcCidr": "10.0.0.0/8"}},
		{"cidr host bits", "vpcCidr", "did you mean 10.1.0.0/16", map[string]any{"vpcCidr": "10.1.2.3/16"}},
		{"cidr public", "vpcCidr", "RFC 1918", map[string]any{"vpcCidr": "8.8.0.0/16"}},
		{"cidr ipv6", "vpcCidr", "IPv4", map[string]any{"vpcCidr": "fd00::/16"}},
		{"lock mode lower case", "logLockMode", "GOVERNANCE, COMPLIANCE", map[string]any{"logLockMode": "governance"}},
		{"lock days zero", "logLockDays", "from 1 to 3650", map[string]any{"logLockDays": float64(0)}},
		{"lock days fraction", "logLockDays", "whole number", map[string]any{"logLockDays": 1.5}},
		{"lock days word", "logLockDays", "whole number", map[string]any{"logLockDays": "ten"}},
		{"lock days bool", "logLockDays", "whole number", map[string]any{"logLockDays": true}},
		{"az count one", "azCount", "from 2 to 6", map[string]any{"azCount": float64(1)}},
		{"zones count mismatch", "availabilityZones", "azCount is 2", map[string]any{"availabilityZones": "us-east-1a,us-east-1b,us-east-1c"}},
		{"zones other region", "availabilityZones", "not in region us-east-1", map[string]any{"availabilityZones": "us-east-1a,eu-west-1b"}},
		{"zones malformed", "availabilityZones", "not an availability zone name", map[string]any{"availabilityZones": "us-east-1a,b"}},
		{"zone IDs count mismatch", "availabilityZoneIds", "azCount is 2", map[string]any{"availabilityZoneIds": "use1-az1,use1-az2,use1-az4"}},
		{"zone IDs other region", "availabilityZoneIds", "whose AZ IDs start with use1-az", map[string]any{"availabilityZoneIds": "use1-az1,euw1-az2"}},
		{"zone IDs malformed", "availabilityZoneIds", "is not an AZ ID", map[string]any{"availabilityZoneIds": "use1-az1,us-east-1b"}},
		{"zone IDs duplicate", "availabilityZoneIds", "listed twice", map[string]any{"availabilityZoneIds": "use1-az1,use1-az1"}},
		{"zone IDs and names", "availabilityZoneIds", "either by zone ID or by name", map[string]any{"availabilityZoneIds": "use1-az1,use1-az2", "availabilityZones": "us-east-1a,us-east-1b"}},
		{"zones duplicate", "availabilityZones", "listed twice", map[string]any{"availabilityZones": "us-east-1a,us-east-1a"}},
		{"nat zero", "natGateways", "from 1 to 6", map[string]any{"natGateways": "0"}},
		{"nat above zones", "natGateways", "exceeds azCount (2)", map[string]any{"natGateways": "3", "internetEgress": true}},
		{"governed region unknown", "governedRegions", `"moon-west-1" is not a region`, map[string]any{"governedRegions": "us-east-1,moon-west-1"}},
		{"governed region twice", "governedRegions", "eu-west-1 is listed twice", map[string]any{"governedRegions": "us-east-1,eu-west-1,eu-west-1"}},
		{"governed regions without the home region", "governedRegions", "does not include region (us-east-1)", map[string]any{"governedRegions": "eu-west-1"}},
		{"nat without egress", "natGateways", "internetEgress is false", map[string]any{"natGateways": "1"}},
		{"no endpoints and no egress", "interfaceEndpoints", "no way to Secrets Manager and KMS", map[string]any{"interfaceEndpoints": false}},
		{"region without RDS CAs", "region", "Amazon RDS root certificate authorities", map[string]any{"region": "us-gov-west-1"}},
		{"cidr too small for zones", "vpcCidr", "too small for 3 zones", map[string]any{"vpcCidr": "10.0.0.0/24", "azCount": "3"}},
		{"endpoints yes", "interfaceEndpoints", "true or false", map[string]any{"interfaceEndpoints": "yes"}},
		{"endpoints number", "interfaceEndpoints", "true or false", map[string]any{"interfaceEndpoints": float64(1)}},
		{"log retention not a CloudWatch value", "logRetentionDays", "3653", map[string]any{"logRetentionDays": "100"}},
		{"db class not a class", "dbInstanceClass", "db.t4g.micro", map[string]any{"dbInstanceClass": "t4g.micro"}},
		{"db backups below 7", "dbBackupRetentionDays", "from 7 to 35", map[string]any{"dbBackupRetentionDays": "1"}},
		{"db rotation 0", "dbSecretRotationDays", "from 1 to 365", map[string]any{"dbSecretRotationDays": "0"}},
		{"db rotation above a year", "dbSecretRotationDays", "from 1 to 365", map[string]any{"dbSecretRotationDays": float64(400)}},
		{"expiration before transition", "logExpirationDays", "greater than logTransitionDays", map[string]any{"logTransitionDays": "60", "logExpirationDays": "40"}},
		{"expiration before lock", "logExpirationDays", "at least logLockDays", map[string]any{"logLockDays": "100", "logExpirationDays": "95"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.ctx)
			if err == nil {
				t.Fatalf("Load(%v) accepted it", tc.ctx)
			}
			for _, p := range Problems(err) {
				if p.Key == tc.key && strings.Contains(p.Error(), tc.fragment) {
					return
				}
			}
			t.Errorf("no problem names %s with %q; got:\n%s", tc.key, tc.fragment, FormatError(err))
		})
	}
}

// TestAllProblemsAtOnce: one error lists every problem, each naming its key
// and the value given.
func TestAllProblemsAtOnce(t *testing.T) {
	_, err := Load(map[string]any{
		"vpcCidr": "10.0.0.0/33", "profile": "staging", "region": "moon-1", "regoin": "us-east-1",
	})
	ps := Problems(err)
	got := map[string]bool{}
	for _, p := range ps {
		got[p.Key] = true
	}
	for _, k := range []string{"vpcCidr", "profile", "region", "regoin"} {
		if !got[k] {
			t.Errorf("problem for %s missing; got:\n%s", k, FormatError(err))
		}
	}
	msg := FormatError(err)
	for _, want := range []string{`"10.0.0.0/33"`, `"staging"`, "4 problem(s)", `did you mean "region"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %s:\n%s", want, msg)
		}
	}
}

func TestNames(t *testing.T) {
	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	for got, want := range map[string]string{
		c.TrailARN():         "arn:aws:cloudtrail:us-east-1:111111111111:trail/secure-webapp-trail",
		c.TrailBucketName():  "secure-webapp-cloudtrail-222222222222-us-east-1",
		c.TrailKeyAliasARN(): "arn:aws:kms:us-east-1:222222222222:alias/secure-webapp/cloudtrail",
	} {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	// The longest app name in the longest region still gives legal bucket names.
	long, err := Load(map[string]any{"appName": strings.Repeat("a", 24), "region": "ap-southeast-3"})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{long.TrailBucketName()} {
		if len(n) > 63 {
			t.Errorf("bucket name %s is %d characters; S3 allows 63", n, len(n))
		}
	}
}

// TestEveryKeyHasDocs keeps the generated reference complete.
func TestEveryKeyHasDocs(t *testing.T) {
	for _, k := range Keys() {
		if k.Doc == "" || k.Allowed == "" || (k.Type != "string" && k.Type != "integer" && k.Type != "boolean") {
			t.Errorf("key %s lacks documentation or type", k.Name)
		}
		for _, p := range []Profile{Sandbox, Production} {
			if _, ok := k.Default(p).(derived); ok {
				continue
			}
			if _, why := k.parse(k.Default(p)); why != "" {
				t.Errorf("%s: default for %s is not allowed by its own rule: %s", k.Name, p, why)
			}
		}
	}
}

// TestZoneIDPrefix: the AZ IDs of a region start with its code's area, the
// initials of its direction and its number (AWS Regions and Availability
// Zones, "AZ IDs"), for every region the app knows.
func TestZoneIDPrefix(t *testing.T) {
	known := map[string]string{"us-east-1": "use1-az", "eu-west-1": "euw1-az", "ap-northeast-1": "apne1-az", "ap-southeast-2": "apse2-az",
		"eu-central-2": "euc2-az", "ap-south-1": "aps1-az", "sa-east-1": "sae1-az", "me-south-1": "mes1-az", "ca-central-1": "cac1-az", "af-south-1": "afs1-az"}
	for region, want := range known {
		if got := ZoneIDPrefix(region); got != want {
			t.Errorf("ZoneIDPrefix(%s) = %q, want %q", region, got, want)
		}
	}
	for _, region := range KnownRegions {
		if p := ZoneIDPrefix(region); !reZoneID.MatchString(p + "1") {
			t.Errorf("ZoneIDPrefix(%s) = %q, which no AZ ID matches", region, p)
		}
	}
}

// TestDuplicateKeys: a key written twice in one object of a JSON document
// is found, at any depth, and cdk.json has none (the CDK CLI would keep the
// last silently).
func TestDuplicateKeys(t *testing.T) {
	for name, tc := range map[string]struct {
		doc  string
		want []string
	}{
		"none":             {`{"a": 1, "b": {"a": 2}, "c": [{"a": 3}, {"a": 4}]}`, nil},
		"top level":        {`{"a": 1, "b": 2, "a": 3}`, []string{"a"}},
		"a feature flag":   {`{"app": "go run .", "context": {"@aws-cdk/core:x": true, "@aws-cdk/core:x": false}}`, []string{"context.@aws-cdk/core:x"}},
		"inside a list":    {`{"l": [{"k": 1, "k": 2}]}`, []string{"l[0].k"}},
		"three times once": {`{"a": 1, "a": 2, "a": 3}`, []string{"a", "a"}},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := duplicateKeys([]byte(tc.doc))
			if err != nil || strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("duplicateKeys = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := duplicateKeys([]byte(`{"a": `)); err == nil {
		t.Error("truncated JSON: no error")
	}
	data, err := os.ReadFile("../cdk.json")
	if err != nil {
		t.Fatal(err)
	}
	dups, err := duplicateKeys(data)
	if err != nil {
		t.Fatalf("cdk.json: %v", err)
	}
	for _, k := range dups {
		t.Errorf("cdk.json: %s is written more than once; keep one (the CDK CLI keeps the last silently)", k)
	}
}
