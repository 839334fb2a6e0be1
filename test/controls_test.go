package test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/secure-webapp/secure-webapp/controls"
)

// TestControls runs every control of the registry, as a subtest named by its
// ID, on the synthesis of every profile.
func TestControls(t *testing.T) {
	t.Parallel()
	for _, p := range profiles {
		t.Run(p.name, func(t *testing.T) {
			a := synth(t, p.name)
			// One evaluation of every control (the account views are merged
			// once), reported as a subtest per control.
			results, err := controls.Evaluate(controls.All(), a.list(), true)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range controls.All() {
				t.Run(c.ID, func(t *testing.T) {
					for _, r := range results {
						if r.Control.ID != c.ID {
							continue
						}
						for _, f := range r.Failures {
							t.Errorf("%s: %s: %s", r.Template, f.Resource, f.Reason)
						}
					}
				})
			}
		})
	}
}

// TestCentralDetectionIsNotApplicable: with detectionServices false, exactly
// the controls of the services left to the organization report n/a, with a
// note saying so, and nothing else does.
func TestCentralDetectionIsNotApplicable(t *testing.T) {
	t.Parallel()
	results, err := controls.Evaluate(controls.All(), synth(t, "variants").list(), true)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"DET-2": true, "DET-3": true, "DET-5": true, "DET-6": true}
	for _, r := range results {
		na := r.Status == controls.NotApplicable
		if na != want[r.Control.ID] {
			t.Errorf("%s: status %s", r.Control.ID, r.Status)
		}
		if na && !strings.Contains(r.Note, "detectionServices is false") {
			t.Errorf("%s: note %q does not say why", r.Control.ID, r.Note)
		}
	}
}

// TestComputeSpecificControls: the controls that read the shapes of one
// compute kind (Control.Compute) report n/a, saying why, for an app tier of
// another kind, and only they do.
func TestComputeSpecificControls(t *testing.T) {
	t.Parallel()
	a := synth(t, "sandbox")
	var set []*controls.Template
	for _, tpl := range a.list() {
		tpl = tpl.Clone()
		if f, _ := tpl.Facts(); f.Role == controls.RoleWorkload {
			tpl.Body["Metadata"].(map[string]any)[controls.MetadataKey].(map[string]any)["AppCompute"] = "ecs-fargate"
		}
		set = append(set, tpl)
	}
	before, err := controls.Evaluate(controls.All(), a.list(), true)
	if err != nil {
		t.Fatal(err)
	}
	after, err := controls.Evaluate(controls.All(), set, true)
	if err != nil {
		t.Fatal(err)
	}
	kinds := 0
	for i, r := range after {
		switch {
		case r.Control.Compute == "":
			if r.Status != before[i].Status {
				t.Errorf("%s, of every compute kind: %s on EC2, %s on another kind", r.Control.ID, before[i].Status, r.Status)
			}
		case r.Status != controls.NotApplicable || !strings.Contains(r.Note, "ecs-fargate"):
			t.Errorf("%s reads %s shapes, yet on another kind: status %s, note %q", r.Control.ID, r.Control.Compute, r.Status, r.Note)
		default:
			kinds++
		}
	}
	if kinds == 0 {
		t.Error("no control is marked with the compute kind it reads")
	}
}

// mutation weakens one control in a synthesized template; the control's
// check must then fail.
type mutation struct {
	control string
	// stack is the artifact ID of the template weakened (LogArchive,
	// Baseline, Data, Service), or Workload: the view of the workload
	// account that the controls of its role check (controls.AccountView).
	stack  string
	name   string
	weaken func(t *testing.T, tpl *controls.Template)
}

var mutations = []mutation{
	{"LOG-1", "LogArchive", "SSE-S3 instead of SSE-KMS", func(t *testing.T, tpl *controls.Template) {
		enc := props(t, trailBucket(t, tpl), "BucketEncryption")["ServerSideEncryptionConfiguration"].([]any)[0].(map[string]any)
		enc["ServerSideEncryptionByDefault"] = map[string]any{"SSEAlgorithm": "AES256"}
	}},
	{"LOG-2", "LogArchive", "BlockPublicPolicy off", func(t *testing.T, tpl *controls.Template) {
		props(t, trailBucket(t, tpl), "PublicAccessBlockConfiguration")["BlockPublicPolicy"] = false
	}},
	{"LOG-2", "LogArchive", "access-log bucket without RestrictPublicBuckets", func(t *testing.T, tpl *controls.Template) {
		delete(props(t, accessLogBucket(t, tpl), "PublicAccessBlockConfiguration"), "RestrictPublicBuckets")
	}},
	{"LOG-3", "LogArchive", "Object Lock removed", func(t *testing.T, tpl *controls.Template) {
		p := trailBucket(t, tpl).Properties()
		delete(p, "ObjectLockEnabled")
		delete(p, "ObjectLockConfiguration")
	}},
	{"LOG-3", "LogArchive", "lock mode swapped", func(t *testing.T, tpl *controls.Template) {
		r := props(t, trailBucket(t, tpl), "ObjectLockConfiguration", "Rule", "DefaultRetention")
		if r["Mode"] == "COMPLIANCE" {
			r["Mode"] = "GOVERNANCE"
		} else {
			r["Mode"] = "COMPLIANCE"
		}
	}},
	{"LOG-3", "LogArchive", "versioning suspended", func(t *testing.T, tpl *controls.Template) {
		props(t, trailBucket(t, tpl), "VersioningConfiguration")["Status"] = "Suspended"
	}},
	{"LOG-4", "LogArchive", "TLS deny removed", func(t *testing.T, tpl *controls.Template) {
		removeStatements(t, tpl, "AWS::S3::BucketPolicy", func(s map[string]any) bool {
			return s["Effect"] == "Deny" && strings.Contains(jsonOf(s), "aws:SecureTransport")
		})
	}},
	{"LOG-5", "LogArchive", "SourceArn condition removed", func(t *testing.T, tpl *controls.Template) {
		for _, s := range statements(t, tpl, "AWS::S3::BucketPolicy", "PolicyDocument") {
			if s["Sid"] == "CloudTrailWrite" {
				delete(s["Condition"].(map[string]any)["StringEquals"].(map[string]any), "aws:SourceArn")
			}
		}
	}},
	{"LOG-5", "LogArchive", "delete granted to the workload account", func(t *testing.T, tpl *controls.Template) {
		addStatement(t, tpl, "AWS::S3::BucketPolicy", "PolicyDocument", map[string]any{
			"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::111111111111:root"},
			"Action": "s3:DeleteObject", "Resource": "*",
		})
	}},
	{"LOG-5", "LogArchive", "deny of foreign deletes removed", func(t *testing.T, tpl *controls.Template) {
		removeStatements(t, tpl, "AWS::S3::BucketPolicy", func(s map[string]any) bool { return s["Sid"] == "DenyDeleteOutsideLoggingAccount" })
	}},
	{"LOG-6", "LogArchive", "key SourceArn condition removed", func(t *testing.T, tpl *controls.Template) {
		for _, s := range statements(t, tpl, "AWS::KMS::Key", "KeyPolicy") {
			if s["Sid"] == "CloudTrailEncryptLogsOfTheWorkloadTrail" {
				delete(s["Condition"].(map[string]any), "StringEquals")
			}
		}
	}},
	{"LOG-6", "LogArchive", "workload account may decrypt", func(t *testing.T, tpl *controls.Template) {
		addStatement(t, tpl, "AWS::KMS::Key", "KeyPolicy", map[string]any{
			"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::111111111111:root"},
			"Action": "kms:Decrypt", "Resource": "*",
		})
	}},
	{"LOG-7", "LogArchive", "server access logging off", func(t *testing.T, tpl *controls.Template) {
		delete(trailBucket(t, tpl).Properties(), "LoggingConfiguration")
	}},
	{"LOG-8", "LogArchive", "no transition to colder storage", func(t *testing.T, tpl *controls.Template) {
		for _, r := range props(t, trailBucket(t, tpl), "LifecycleConfiguration")["Rules"].([]any) {
			delete(r.(map[string]any), "Transitions")
		}
	}},
	{"LOG-9", "LogArchive", "the key's guard removed", func(t *testing.T, tpl *controls.Template) {
		removeStatements(t, tpl, "AWS::KMS::Key", func(s map[string]any) bool { return s["Sid"] == "OnlyTheGuardiansChangeTheKey" })
	}},
	{"LOG-9", "LogArchive", "a third principal may change the bucket's protections", func(t *testing.T, tpl *controls.Template) {
		for _, s := range statements(t, tpl, "AWS::S3::BucketPolicy", "PolicyDocument") {
			if s["Sid"] == "OnlyTheGuardiansChangeTheProtections" {
				arns := s["Condition"].(map[string]any)["ArnNotEquals"].(map[string]any)
				arns["aws:PrincipalArn"] = append(arns["aws:PrincipalArn"].([]any), "arn:aws:iam::222222222222:role/Admin")
			}
		}
	}},
	{"LOG-9", "LogArchive", "lifecycle changes no longer denied", func(t *testing.T, tpl *controls.Template) {
		for _, s := range statements(t, tpl, "AWS::S3::BucketPolicy", "PolicyDocument") {
			if s["Sid"] == "OnlyTheGuardiansChangeTheProtections" {
				var keep []any
				for _, a := range s["Action"].([]any) {
					if a != "s3:PutLifecycleConfiguration" {
						keep = append(keep, a)
					}
				}
				s["Action"] = keep
			}
		}
	}},
	{"TRAIL-1", "Workload", "log file validation off", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::CloudTrail::Trail").Properties()["EnableLogFileValidation"] = false
	}},
	{"TRAIL-1", "Workload", "single-region trail", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::CloudTrail::Trail").Properties()["IsMultiRegionTrail"] = false
	}},
	{"TRAIL-2", "Workload", "trail pointed at a bucket in the workload account", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::CloudTrail::Trail").Properties()["S3BucketName"] = "secure-webapp-cloudtrail-111111111111-us-east-1"
	}},
	{"TRAIL-2", "Workload", "trail encrypted with a workload key", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::CloudTrail::Trail").Properties()["KMSKeyId"] = "arn:aws:kms:us-east-1:111111111111:alias/mine"
	}},
	{"TRAIL-3", "Workload", "no CloudWatch Logs delivery", func(t *testing.T, tpl *controls.Template) {
		delete(one(t, tpl, "AWS::CloudTrail::Trail").Properties(), "CloudWatchLogsLogGroupArn")
	}},
	{"TRAIL-3", "Workload", "log group without KMS", func(t *testing.T, tpl *controls.Template) {
		delete(atPath(t, tpl, "AWS::Logs::LogGroup", "Audit/LogGroup/Resource").Properties(), "KmsKeyId")
	}},
	{"TRAIL-3", "Workload", "log group kept longer than configured", func(t *testing.T, tpl *controls.Template) {
		atPath(t, tpl, "AWS::Logs::LogGroup", "Audit/LogGroup/Resource").Properties()["RetentionInDays"] = 3653
	}},
	{"NET-1", "Workload", "a database subnet removed", func(t *testing.T, tpl *controls.Template) {
		deleteResource(tpl, atPath(t, tpl, "AWS::EC2::Subnet", "DataSubnet2/Subnet"))
	}},
	{"NET-1", "Workload", "an App subnet moved to a zone not configured", func(t *testing.T, tpl *controls.Template) {
		atPath(t, tpl, "AWS::EC2::Subnet", "AppSubnet1/Subnet").Properties()["AvailabilityZone"] = "us-east-1f"
	}},
	{"NET-2", "Workload", "public IPs on launch", func(t *testing.T, tpl *controls.Template) {
		atPath(t, tpl, "AWS::EC2::Subnet", "PublicSubnet1/Subnet").Properties()["MapPublicIpOnLaunch"] = true
	}},
	{"NET-2", "Workload", "database subnets given an internet route", func(t *testing.T, tpl *controls.Template) {
		addResource(tpl, "MutationRoute", map[string]any{"Type": "AWS::EC2::Route", "Properties": map[string]any{
			"RouteTableId":         routeTableOf(t, tpl, atPath(t, tpl, "AWS::EC2::Subnet", "DataSubnet1/Subnet")),
			"DestinationCidrBlock": "0.0.0.0/0",
			"GatewayId":            ref(one(t, tpl, "AWS::EC2::InternetGateway")),
		}})
	}},
	{"NET-2", "Workload", "app subnet routed straight to the internet gateway", func(t *testing.T, tpl *controls.Template) {
		addResource(tpl, "MutationRoute", map[string]any{"Type": "AWS::EC2::Route", "Properties": map[string]any{
			"RouteTableId":         routeTableOf(t, tpl, atPath(t, tpl, "AWS::EC2::Subnet", "AppSubnet1/Subnet")),
			"DestinationCidrBlock": "0.0.0.0/0",
			"GatewayId":            ref(one(t, tpl, "AWS::EC2::InternetGateway")),
		}})
	}},
	{"NET-7", "Workload", "a NAT gateway without internetEgress", func(t *testing.T, tpl *controls.Template) {
		addResource(tpl, "MutationNat", map[string]any{"Type": "AWS::EC2::NatGateway", "Properties": map[string]any{
			"SubnetId": ref(atPath(t, tpl, "AWS::EC2::Subnet", "PublicSubnet1/Subnet")), "ConnectivityType": "private"}})
	}},
	{"NET-7", "Workload", "the app tier sends HTTPS to any address", func(t *testing.T, tpl *controls.Template) {
		appendList(atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppSecurityGroup/Resource").Properties(), "SecurityGroupEgress",
			map[string]any{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"})
	}},
	{"NET-7", "Workload", "the database-user function sends to a prefix list of its own", func(t *testing.T, tpl *controls.Template) {
		appendList(atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppUser/SecurityGroup/Resource").Properties(), "SecurityGroupEgress",
			map[string]any{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "DestinationPrefixListId": "pl-12345678"})
	}},
	{"NET-7", "Workload", "the S3 gateway endpoint admits every bucket", func(t *testing.T, tpl *controls.Template) {
		delete(atPath(t, tpl, "AWS::EC2::VPCEndpoint", "Vpc/S3/Resource").Properties(), "PolicyDocument")
	}},
	{"NET-7", "Workload", "the S3 gateway endpoint admits an AWS bucket for writes", func(t *testing.T, tpl *controls.Template) {
		s3EndpointAllows(t, tpl, "s3:PutObject", "arn:aws:s3:::al2023-repos-us-east-1-de612dc2/*")
	}},
	{"NET-7", "Workload", "the S3 gateway endpoint admits another account's bucket", func(t *testing.T, tpl *controls.Template) {
		s3EndpointAllows(t, tpl, "s3:PutObject", "arn:aws:s3:::exfiltration-bucket/*")
	}},
	{"NET-7", "Workload", "the S3 gateway endpoint admits a bucket named like the package repositories", func(t *testing.T, tpl *controls.Template) {
		s3EndpointAllows(t, tpl, "s3:GetObject", "arn:aws:s3:::al2023-attacker-exfil/*")
	}},
	{"NET-7", "Workload", "an instance security group admits the internet", func(t *testing.T, tpl *controls.Template) {
		appendList(atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppSecurityGroup/Resource").Properties(), "SecurityGroupIngress",
			map[string]any{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"})
	}},
	{"NET-3", "Workload", "flow log of rejected traffic only", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::EC2::FlowLog").Properties()["TrafficType"] = "REJECT"
	}},
	{"NET-3", "Workload", "flow log group without retention", func(t *testing.T, tpl *controls.Template) {
		delete(atPath(t, tpl, "AWS::Logs::LogGroup", "Network/FlowLogGroup/Resource").Properties(), "RetentionInDays")
	}},
	{"NET-4", "Workload", "default security group left open", func(t *testing.T, tpl *controls.Template) {
		deleteResource(tpl, one(t, tpl, "Custom::VpcRestrictDefaultSG"))
	}},
	{"NET-5", "Workload", "Secrets Manager endpoint without private DNS", func(t *testing.T, tpl *controls.Template) {
		atPath(t, tpl, "AWS::EC2::VPCEndpoint", "SecretsManagerEndpoint/Resource").Properties()["PrivateDnsEnabled"] = false
	}},
	{"NET-5", "Workload", "endpoints open to the VPC range", func(t *testing.T, tpl *controls.Template) {
		appendList(atPath(t, tpl, "AWS::EC2::SecurityGroup", "EndpointSecurityGroup/Resource").Properties(), "SecurityGroupIngress",
			map[string]any{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/16"})
	}},
	{"NET-5", "Workload", "no S3 gateway endpoint", func(t *testing.T, tpl *controls.Template) {
		deleteResource(tpl, atPath(t, tpl, "AWS::EC2::VPCEndpoint", "S3/Resource"))
	}},
	{"NET-6", "Workload", "SSH from anywhere", func(t *testing.T, tpl *controls.Template) {
		appendList(atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppSecurityGroup/Resource").Properties(), "SecurityGroupIngress",
			map[string]any{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"})
	}},
	{"NET-6", "Workload", "RDP from another security group", func(t *testing.T, tpl *controls.Template) {
		app := atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppSecurityGroup/Resource")
		addResource(tpl, "MutationIngress", map[string]any{"Type": "AWS::EC2::SecurityGroupIngress", "Properties": map[string]any{
			"GroupId": getAtt(app, "GroupId"), "IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389,
			"SourceSecurityGroupId": getAtt(atPath(t, tpl, "AWS::EC2::SecurityGroup", "Database/SecurityGroup/Resource"), "GroupId"),
		}})
	}},
	{"DB-1", "Workload", "storage unencrypted", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::RDS::DBInstance").Properties()["StorageEncrypted"] = false
	}},
	{"DB-1", "Workload", "AWS-managed storage key", func(t *testing.T, tpl *controls.Template) {
		delete(one(t, tpl, "AWS::RDS::DBInstance").Properties(), "KmsKeyId")
	}},
	{"DB-2", "Workload", "publicly accessible", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::RDS::DBInstance").Properties()["PubliclyAccessible"] = true
	}},
	{"DB-2", "Workload", "a public subnet in the subnet group", func(t *testing.T, tpl *controls.Template) {
		appendList(one(t, tpl, "AWS::RDS::DBSubnetGroup").Properties(), "SubnetIds", ref(atPath(t, tpl, "AWS::EC2::Subnet", "PublicSubnet1/Subnet")))
	}},
	{"DB-3", "Workload", "single-AZ", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::RDS::DBInstance").Properties()["MultiAZ"] = false
	}},
	{"DB-3", "Workload", "one day of backups", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::RDS::DBInstance").Properties()["BackupRetentionPeriod"] = 1
	}},
	{"DB-3", "Workload", "deleted without a snapshot", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::RDS::DBInstance").Raw["DeletionPolicy"] = "Delete"
	}},
	{"DB-3", "Workload", "deletion protection off", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::RDS::DBInstance").Properties()["DeletionProtection"] = false
	}},
	{"DB-4", "Workload", "TLS not forced", func(t *testing.T, tpl *controls.Template) {
		props(t, one(t, tpl, "AWS::RDS::DBParameterGroup"), "Parameters")["rds.force_ssl"] = "0"
	}},
	{"DB-4", "Workload", "IAM authentication off", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::RDS::DBInstance").Properties()["EnableIAMDatabaseAuthentication"] = false
	}},
	{"DB-4", "Workload", "administrator named postgres", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::RDS::DBInstance").Properties()["MasterUsername"] = "postgres"
	}},
	{"DB-5", "Workload", "upgrade log not exported", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::RDS::DBInstance").Properties()["EnableCloudwatchLogsExports"] = []any{"postgresql"}
	}},
	{"DB-5", "Workload", "postgresql log group left to RDS", func(t *testing.T, tpl *controls.Template) {
		deleteResource(tpl, atPath(t, tpl, "AWS::Logs::LogGroup", "Database/PostgresqlLogGroup/Resource"))
	}},
	{"DB-5", "Workload", "enhanced monitoring off", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::RDS::DBInstance").Properties()["MonitoringInterval"] = 0
	}},
	{"DB-6", "Workload", "literal master password", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::RDS::DBInstance").Properties()["MasterUserPassword"] = "correct-horse-battery"
	}},
	{"DB-6", "Workload", "secret exposed in an output", func(t *testing.T, tpl *controls.Template) {
		tpl.Body["Outputs"] = map[string]any{"Password": map[string]any{"Value": map[string]any{"Fn::Join": []any{"", []any{
			"{{resolve:secretsmanager:", ref(one(t, tpl, "AWS::SecretsManager::Secret")), ":SecretString:password::}}"}}}}}
	}},
	{"DB-7", "Workload", "rotation every 90 days", func(t *testing.T, tpl *controls.Template) {
		props(t, one(t, tpl, "AWS::SecretsManager::RotationSchedule"), "RotationRules")["ScheduleExpression"] = "rate(90 days)"
	}},
	{"DB-7", "Workload", "no rotation", func(t *testing.T, tpl *controls.Template) {
		deleteResource(tpl, one(t, tpl, "AWS::SecretsManager::RotationSchedule"))
	}},
	{"DB-8", "Workload", "database open to 0.0.0.0/0", func(t *testing.T, tpl *controls.Template) {
		appendList(atPath(t, tpl, "AWS::EC2::SecurityGroup", "Database/SecurityGroup/Resource").Properties(), "SecurityGroupIngress",
			map[string]any{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "CidrIp": "0.0.0.0/0"})
	}},
	{"DB-8", "Workload", "database open to the VPC range", func(t *testing.T, tpl *controls.Template) {
		appendList(atPath(t, tpl, "AWS::EC2::SecurityGroup", "Database/SecurityGroup/Resource").Properties(), "SecurityGroupIngress",
			map[string]any{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "CidrIp": "10.0.0.0/16"})
	}},
	{"DB-8", "Workload", "every port from the app tier", func(t *testing.T, tpl *controls.Template) {
		db := atPath(t, tpl, "AWS::EC2::SecurityGroup", "Database/SecurityGroup/Resource")
		addResource(tpl, "MutationIngress", map[string]any{"Type": "AWS::EC2::SecurityGroupIngress", "Properties": map[string]any{
			"GroupId": getAtt(db, "GroupId"), "IpProtocol": "-1",
			"SourceSecurityGroupId": getAtt(atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppSecurityGroup/Resource"), "GroupId"),
		}})
	}},
	{"DB-8", "Workload", "database egress to anywhere", func(t *testing.T, tpl *controls.Template) {
		atPath(t, tpl, "AWS::EC2::SecurityGroup", "Database/SecurityGroup/Resource").Properties()["SecurityGroupEgress"] =
			[]any{map[string]any{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}}
	}},
	{"DB-8", "Workload", "the database admits the endpoints' security group", func(t *testing.T, tpl *controls.Template) {
		db := atPath(t, tpl, "AWS::EC2::SecurityGroup", "Database/SecurityGroup/Resource")
		addResource(tpl, "MutationIngress", map[string]any{"Type": "AWS::EC2::SecurityGroupIngress", "Properties": map[string]any{
			"GroupId": getAtt(db, "GroupId"), "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
			"SourceSecurityGroupId": getAtt(atPath(t, tpl, "AWS::EC2::SecurityGroup", "EndpointSecurityGroup/Resource"), "GroupId"),
		}})
	}},
	{"DB-9", "Workload", "the app's user made rds_superuser", func(t *testing.T, tpl *controls.Template) {
		appendList(appUser(t, tpl).Properties(), "Statements", "GRANT rds_superuser TO webapp_app")
	}},
	{"DB-9", "Workload", "the app's user made rds_superuser through dynamic SQL", func(t *testing.T, tpl *controls.Template) {
		appendList(appUser(t, tpl).Properties(), "Statements", "DO $$BEGIN EXECUTE 'GRANT rds_superuser TO webapp_app'; END$$")
	}},
	{"DB-9", "Workload", "the app's user given every privilege on future tables", func(t *testing.T, tpl *controls.Template) {
		appendList(appUser(t, tpl).Properties(), "Statements", "ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT ALL ON TABLES TO webapp_app")
	}},
	{"DB-9", "Workload", "another role may read every secret", func(t *testing.T, tpl *controls.Template) {
		uploadsMayAlsoRead(t, tpl, "arn:aws:secretsmanager:us-east-1:111111111111:secret:*")
	}},
	{"DB-9", "Workload", "the app's user may create roles", func(t *testing.T, tpl *controls.Template) {
		appendList(appUser(t, tpl).Properties(), "Statements", "ALTER ROLE webapp_app CREATEROLE")
	}},
	{"DB-9", "Workload", "the app's user made a superuser as a USER", func(t *testing.T, tpl *controls.Template) {
		appendList(appUser(t, tpl).Properties(), "Statements", "ALTER USER webapp_app SUPERUSER")
	}},
	{"DB-9", "Workload", "the app's user may pass its grants on", func(t *testing.T, tpl *controls.Template) {
		appendList(appUser(t, tpl).Properties(), "Statements", "GRANT SELECT ON ALL TABLES IN SCHEMA app TO webapp_app WITH GRANT OPTION")
	}},
	{"DB-9", "Workload", "the app's user may grant rds_iam", func(t *testing.T, tpl *controls.Template) {
		appendList(appUser(t, tpl).Properties(), "Statements", "GRANT rds_iam TO webapp_app WITH ADMIN OPTION")
	}},
	{"DB-9", "Workload", "a default grant of TRUNCATE behind text whose upper case has another length", func(t *testing.T, tpl *controls.Template) {
		appendList(appUser(t, tpl).Properties(), "Statements", "ALTER DEFAULT PRIVILEGES IN SCHEMA \"\u0131\u0131\u0131\" GRANT DELETE, TRUNCATE ON TABLES TO webapp_app")
	}},
	{"DB-9", "Workload", "the app's user owns its schema", func(t *testing.T, tpl *controls.Template) {
		appendList(appUser(t, tpl).Properties(), "Statements", "ALTER SCHEMA app OWNER TO webapp_app")
	}},
	{"DB-9", "Workload", "the app's user may create tables", func(t *testing.T, tpl *controls.Template) {
		appendList(appUser(t, tpl).Properties(), "Statements", "GRANT USAGE, CREATE ON SCHEMA app TO webapp_app")
	}},
	{"DB-9", "Workload", "the app's user logs in with a password", func(t *testing.T, tpl *controls.Template) {
		p := appUser(t, tpl).Properties()
		var kept []any
		for _, s := range p["Statements"].([]any) {
			if !strings.Contains(s.(string), "rds_iam") {
				kept = append(kept, s)
			}
		}
		p["Statements"] = kept
	}},
	{"DB-9", "Workload", "the database user created without waiting for the S3 endpoint", func(t *testing.T, tpl *controls.Template) {
		u := appUser(t, tpl)
		s3 := atPath(t, tpl, "AWS::EC2::VPCEndpoint", "Vpc/S3/Resource")
		var kept []any
		for _, d := range u.Raw["DependsOn"].([]any) {
			if d != s3.LogicalID {
				kept = append(kept, d)
			}
		}
		u.Raw["DependsOn"] = kept
	}},
	{"DB-9", "Workload", "the database user without a service timeout", func(t *testing.T, tpl *controls.Template) {
		delete(appUser(t, tpl).Properties(), "ServiceTimeout")
	}},
	{"DB-9", "Workload", "the app's user is the master user", func(t *testing.T, tpl *controls.Template) {
		appUser(t, tpl).Properties()["Username"] = "webapp_admin"
	}},
	{"DB-9", "Workload", "the database-user function runs outside the VPC", func(t *testing.T, tpl *controls.Template) {
		fn, _ := tpl.Resource(controls.RefTargetOr(appUser(t, tpl).Properties()["ServiceToken"]))
		delete(fn.Properties(), "VpcConfig")
	}},
	{"DB-9", "Workload", "the instance role may read the master secret", func(t *testing.T, tpl *controls.Template) {
		uploadsMayAlsoRead(t, tpl, ref(one(t, tpl, "AWS::SecretsManager::SecretTargetAttachment")))
	}},
	{"LOG-10", "LoggingBaseline", "no alarm on key policy changes in the logging account", func(t *testing.T, tpl *controls.Template) {
		for _, r := range tpl.Resources("AWS::Logs::MetricFilter") {
			if strings.Contains(fmt.Sprint(r.Properties()["MetricTransformations"]), "ArchiveKeyPolicyChanges") {
				deleteResource(tpl, r)
			}
		}
	}},
	{"DET-1", "LoggingBaseline", "no root-use alarm in the logging account", func(t *testing.T, tpl *controls.Template) {
		for _, r := range tpl.Resources("AWS::CloudWatch::Alarm") {
			if r.String("MetricName") == "RootAccountUsage" {
				deleteResource(tpl, r)
			}
		}
	}},
	{"LOG-5", "LogArchive", "the logging trail may write under the workload account's prefix", func(t *testing.T, tpl *controls.Template) {
		for _, s := range statements(t, tpl, "AWS::S3::BucketPolicy", "PolicyDocument") {
			if s["Sid"] == "CloudTrailWriteLoggingTrail" {
				s["Resource"] = map[string]any{"Fn::Join": []any{"", []any{getAtt(trailBucket(t, tpl), "Arn"), "/AWSLogs/111111111111/*"}}}
			}
		}
	}},
	{"CWL-1", "Data", "an unencrypted log group kept forever", func(t *testing.T, tpl *controls.Template) {
		addResource(tpl, "MutationLogGroup", map[string]any{"Type": "AWS::Logs::LogGroup", "Properties": map[string]any{"LogGroupName": "/mutation"}})
	}},
	{"KMS-3", "Data", "anyone may decrypt with the application bucket's key for any S3 object", func(t *testing.T, tpl *controls.Template) {
		addKeyStatement(t, tpl, "AppBucket/Key/Resource", map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": "*"},
			"Action": "kms:Decrypt", "Resource": "*", "Condition": map[string]any{"StringLike": map[string]any{"kms:EncryptionContext:aws:s3:arn": "*"}}})
	}},
	{"KMS-3", "Data", "another account may use the application bucket's key through S3", func(t *testing.T, tpl *controls.Template) {
		addKeyStatement(t, tpl, "AppBucket/Key/Resource", map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::999999999999:root"},
			"Action": "kms:Decrypt", "Resource": "*", "Condition": map[string]any{"StringEquals": map[string]any{"kms:ViaService": "s3.us-east-1.amazonaws.com"}}})
	}},
	{"DEPUTY-1", "Data", "the flow-log key admits any account's log groups", func(t *testing.T, tpl *controls.Template) {
		k := atPath(t, tpl, "AWS::KMS::Key", "Network/FlowLogKey/Resource")
		for _, st := range k.Properties()["KeyPolicy"].(map[string]any)["Statement"].([]any) {
			cond, _ := st.(map[string]any)["Condition"].(map[string]any)
			if c, ok := cond["ArnEquals"].(map[string]any); ok {
				c["kms:EncryptionContext:aws:logs:arn"] = "arn:aws:logs:*:*:*"
			}
		}
	}},
	{"DEPUTY-1", "Data", "the database's monitoring role trusts RDS for any account", func(t *testing.T, tpl *controls.Template) {
		r := atPath(t, tpl, "AWS::IAM::Role", "Database/Instance/MonitoringRole/Resource")
		for _, st := range r.Properties()["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any) {
			delete(st.(map[string]any), "Condition")
		}
	}},
	{"LOG-9", "LogArchive", "a logging-account admin may bypass governance retention", func(t *testing.T, tpl *controls.Template) {
		removeStatements(t, tpl, "AWS::S3::BucketPolicy", func(s map[string]any) bool { return s["Sid"] == "OnlyTheGuardiansBypassRetention" })
	}},
	{"KMS-1", "LogArchive", "log key rotation off", func(t *testing.T, tpl *controls.Template) {
		atPath(t, tpl, "AWS::KMS::Key", "Archive/Key/Resource").Properties()["EnableKeyRotation"] = false
	}},
	{"KMS-1", "Workload", "log group key rotation off", func(t *testing.T, tpl *controls.Template) {
		atPath(t, tpl, "AWS::KMS::Key", "/Audit/LogKey/Resource").Properties()["EnableKeyRotation"] = false
	}},
	{"APP-1", "Workload", "IMDSv1 allowed", func(t *testing.T, tpl *controls.Template) {
		props(t, one(t, tpl, "AWS::EC2::LaunchTemplate"), "LaunchTemplateData", "MetadataOptions")["HttpTokens"] = "optional"
	}},
	{"APP-1", "Workload", "metadata reachable from containers", func(t *testing.T, tpl *controls.Template) {
		props(t, one(t, tpl, "AWS::EC2::LaunchTemplate"), "LaunchTemplateData", "MetadataOptions")["HttpPutResponseHopLimit"] = 2
	}},
	{"APP-1", "Workload", "a key pair", func(t *testing.T, tpl *controls.Template) {
		props(t, one(t, tpl, "AWS::EC2::LaunchTemplate"), "LaunchTemplateData")["KeyName"] = "ops"
	}},
	{"APP-1", "Workload", "unencrypted root volume", func(t *testing.T, tpl *controls.Template) {
		d := props(t, one(t, tpl, "AWS::EC2::LaunchTemplate"), "LaunchTemplateData")
		d["BlockDeviceMappings"].([]any)[0].(map[string]any)["Ebs"].(map[string]any)["Encrypted"] = false
	}},
	{"APP-1", "Workload", "public IP on launch", func(t *testing.T, tpl *controls.Template) {
		d := props(t, one(t, tpl, "AWS::EC2::LaunchTemplate"), "LaunchTemplateData")
		d["NetworkInterfaces"].([]any)[0].(map[string]any)["AssociatePublicIpAddress"] = true
	}},
	{"APP-2", "Workload", "instances in the public subnets", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::AutoScaling::AutoScalingGroup").Properties()["VPCZoneIdentifier"] = []any{
			ref(atPath(t, tpl, "AWS::EC2::Subnet", "PublicSubnet1/Subnet")), ref(atPath(t, tpl, "AWS::EC2::Subnet", "PublicSubnet2/Subnet"))}
	}},
	{"APP-2", "Workload", "EC2 health checks only", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::AutoScaling::AutoScalingGroup").Properties()["HealthCheckType"] = "EC2"
	}},
	{"APP-3", "Workload", "s3:* added to the role", func(t *testing.T, tpl *controls.Template) {
		addStatement(t, tpl, "AWS::IAM::ManagedPolicy", "PolicyDocument", map[string]any{
			"Effect": "Allow", "Action": "s3:*", "Resource": getAtt(appBucket(t, tpl), "Arn")})
	}},
	{"APP-3", "Workload", "Resource * added to the role", func(t *testing.T, tpl *controls.Template) {
		addStatement(t, tpl, "AWS::IAM::ManagedPolicy", "PolicyDocument", map[string]any{
			"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"})
	}},
	{"APP-3", "Workload", "uploads anywhere in the bucket", func(t *testing.T, tpl *controls.Template) {
		for _, s := range statements(t, tpl, "AWS::IAM::ManagedPolicy", "PolicyDocument") {
			if s["Sid"] == "WriteUploads" {
				s["Resource"] = map[string]any{"Fn::Join": []any{"", []any{getAtt(appBucket(t, tpl), "Arn"), "/*"}}}
			}
		}
	}},
	{"APP-3", "Workload", "an AWS managed policy attached", func(t *testing.T, tpl *controls.Template) {
		atPath(t, tpl, "AWS::IAM::Role", "App/InstanceRole/Resource").Properties()["ManagedPolicyArns"] = []any{"arn:aws:iam::aws:policy/ReadOnlyAccess"}
	}},
	{"APP-3", "Workload", "an access key", func(t *testing.T, tpl *controls.Template) {
		addResource(tpl, "MutationUser", map[string]any{"Type": "AWS::IAM::User", "Properties": map[string]any{}})
		addResource(tpl, "MutationKey", map[string]any{"Type": "AWS::IAM::AccessKey", "Properties": map[string]any{"UserName": map[string]any{"Ref": "MutationUser"}}})
	}},
	{"APP-3", "Workload", "a grant in the policy that the grant table lacks", func(t *testing.T, tpl *controls.Template) {
		addStatement(t, tpl, "AWS::IAM::ManagedPolicy", "PolicyDocument", map[string]any{
			"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "arn:aws:ssm:us-east-1:111111111111:parameter/secure-webapp/flags"})
	}},
	{"APP-3", "Workload", "a row of the grant table that the policy lacks", func(t *testing.T, tpl *controls.Template) {
		addGrantRow(t, tpl, "ReadFlags", "ssm", "ssm:GetParameter", "arn:aws:ssm:us-east-1:111111111111:parameter/secure-webapp/flags")
	}},
	{"APP-3", "Workload", "the grant table removed from the role", func(t *testing.T, tpl *controls.Template) {
		delete(appRole(t, tpl).Raw["Metadata"].(map[string]any), controls.GrantsKey)
	}},
	{"APP-3", "Workload", "a table row reading the master secret, in the policy too", func(t *testing.T, tpl *controls.Template) {
		grant(t, tpl, "ReadSecret", "secretsmanager", "secretsmanager:GetSecretValue", ref(one(t, tpl, "AWS::SecretsManager::Secret")))
	}},
	{"APP-3", "Workload", "a table row decrypting with the database's key, in the policy too", func(t *testing.T, tpl *controls.Template) {
		grant(t, tpl, "DecryptDatabase", "kms", "kms:Decrypt", getAtt(atPath(t, tpl, "AWS::KMS::Key", "Database/DataKey/Resource"), "Arn"))
	}},
	{"APP-3", "Workload", "a table row writing anywhere in the bucket, in the policy too", func(t *testing.T, tpl *controls.Template) {
		grant(t, tpl, "WriteAll", "s3", "s3:PutObject", map[string]any{"Fn::Join": []any{"", []any{getAtt(appBucket(t, tpl), "Arn"), "/*"}}})
	}},
	{"APP-3", "Workload", "a table row on every parameter, in the policy too", func(t *testing.T, tpl *controls.Template) {
		grant(t, tpl, "ReadAll", "ssm", "ssm:GetParameter", "arn:aws:ssm:us-east-1:111111111111:parameter/*")
	}},
	{"APP-3", "Workload", "the role no longer declared the app tier's", func(t *testing.T, tpl *controls.Template) {
		delete(appRole(t, tpl).Raw["Metadata"].(map[string]any), controls.IdentityKey)
	}},
	{"APP-7", "Workload", "a parameter read granted, table and policy, with no SSM endpoint", func(t *testing.T, tpl *controls.Template) {
		grant(t, tpl, "ReadFlags", "ssm", "ssm:GetParameter", "arn:aws:ssm:us-east-1:111111111111:parameter/secure-webapp/flags")
		deleteEndpoints(tpl, "ssm") // one a fork's grant table derives
	}},
	{"APP-7", "Workload", "the endpoints' security group no longer admits the app tier", func(t *testing.T, tpl *controls.Template) {
		grant(t, tpl, "ReadFlags", "ssm", "ssm:GetParameter", "arn:aws:ssm:us-east-1:111111111111:parameter/secure-webapp/flags")
		deleteEndpoints(tpl, "ssm")
		addResource(tpl, "MutationSsmEndpoint", map[string]any{"Type": "AWS::EC2::VPCEndpoint", "Properties": map[string]any{
			"ServiceName": "com.amazonaws.us-east-1.ssm", "VpcEndpointType": "Interface", "PrivateDnsEnabled": true,
			"SubnetIds":        atPath(t, tpl, "AWS::EC2::VPCEndpoint", "KmsEndpoint/Resource").Properties()["SubnetIds"],
			"SecurityGroupIds": []any{getAtt(atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppUser/SecurityGroup/Resource"), "GroupId")},
		}})
	}},
	{"APP-7", "Workload", "the SSM endpoint's policy admits another parameter only", func(t *testing.T, tpl *controls.Template) {
		grant(t, tpl, "ReadFlags", "ssm", "ssm:GetParameter", "arn:aws:ssm:us-east-1:111111111111:parameter/secure-webapp/flags")
		deleteEndpoints(tpl, "ssm")
		addResource(tpl, "MutationSsmEndpoint", map[string]any{"Type": "AWS::EC2::VPCEndpoint", "Properties": map[string]any{
			"ServiceName": "com.amazonaws.us-east-1.ssm", "VpcEndpointType": "Interface", "PrivateDnsEnabled": true,
			"SubnetIds":        atPath(t, tpl, "AWS::EC2::VPCEndpoint", "KmsEndpoint/Resource").Properties()["SubnetIds"],
			"SecurityGroupIds": []any{getAtt(atPath(t, tpl, "AWS::EC2::SecurityGroup", "EndpointSecurityGroup/Resource"), "GroupId")},
			"PolicyDocument": map[string]any{"Statement": []any{map[string]any{"Effect": "Allow", "Principal": "*", "Action": "ssm:GetParameter",
				"Resource": "arn:aws:ssm:us-east-1:111111111111:parameter/other"}}},
		}})
	}},
	{"APP-7", "Workload", "the S3 gateway endpoint no longer admits the account's buckets", func(t *testing.T, tpl *controls.Template) {
		doc := atPath(t, tpl, "AWS::EC2::VPCEndpoint", "Vpc/S3/Resource").Properties()["PolicyDocument"].(map[string]any)
		var keep []any
		for _, st := range doc["Statement"].([]any) {
			if st.(map[string]any)["Sid"] != "TheAccountsBuckets" {
				keep = append(keep, st)
			}
		}
		doc["Statement"] = keep
	}},
	{"APP-7", "Workload", "the app tier sends nothing to S3's prefix list", func(t *testing.T, tpl *controls.Template) {
		dropAppEgress(t, tpl, func(e map[string]any) bool { return e["DestinationPrefixListId"] != nil })
	}},
	{"APP-7", "Workload", "the database no longer admits the app tier", func(t *testing.T, tpl *controls.Template) {
		app := atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppSecurityGroup/Resource").LogicalID
		for _, r := range tpl.Resources("AWS::EC2::SecurityGroupIngress") {
			if controls.RefTargetOr(r.Properties()["SourceSecurityGroupId"]) == app && strings.Contains(r.Path(), "Database") {
				deleteResource(tpl, r)
			}
		}
	}},
	{"APP-1", "Workload", "the instances run in a security group that is not the app tier's", func(t *testing.T, tpl *controls.Template) {
		d := props(t, one(t, tpl, "AWS::EC2::LaunchTemplate"), "LaunchTemplateData")
		d["NetworkInterfaces"].([]any)[0].(map[string]any)["Groups"] = []any{getAtt(atPath(t, tpl, "AWS::EC2::SecurityGroup", "EndpointSecurityGroup/Resource"), "GroupId")}
	}},
	{"APP-1", "Workload", "the instances run as a role that is not the app tier's", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::IAM::InstanceProfile").Properties()["Roles"] = []any{ref(atPath(t, tpl, "AWS::IAM::Role", "/Network/FlowLogRole/Resource"))}
	}},
	{"APP-2", "Workload", "the Auto Scaling group not declared the app tier's compute", func(t *testing.T, tpl *controls.Template) {
		delete(one(t, tpl, "AWS::AutoScaling::AutoScalingGroup").Raw["Metadata"].(map[string]any), controls.IdentityKey)
	}},
	{"APP-6", "Workload", "the app tier's security group no longer declared", func(t *testing.T, tpl *controls.Template) {
		delete(atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppSecurityGroup/Resource").Raw["Metadata"].(map[string]any), controls.IdentityKey)
	}},
	{"EDGE-1", "Workload", "the load balancer sends to a security group other than the app tier's", func(t *testing.T, tpl *controls.Template) {
		lb := atPath(t, tpl, "AWS::EC2::SecurityGroup", "Edge/SecurityGroup/Resource")
		addResource(tpl, "MutationEgress", map[string]any{"Type": "AWS::EC2::SecurityGroupEgress", "Properties": map[string]any{
			"GroupId": getAtt(lb, "GroupId"), "IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443,
			"DestinationSecurityGroupId": getAtt(atPath(t, tpl, "AWS::EC2::SecurityGroup", "EndpointSecurityGroup/Resource"), "GroupId"),
		}})
	}},
	{"EDGE-4", "Workload", "a target group the app tier does not register with", func(t *testing.T, tpl *controls.Template) {
		delete(one(t, tpl, "AWS::AutoScaling::AutoScalingGroup").Properties(), "TargetGroupARNs")
	}},
	{"APP-4", "Workload", "application bucket without versioning", func(t *testing.T, tpl *controls.Template) {
		delete(appBucket(t, tpl).Properties(), "VersioningConfiguration")
	}},
	{"APP-4", "Workload", "application bucket public", func(t *testing.T, tpl *controls.Template) {
		props(t, appBucket(t, tpl), "PublicAccessBlockConfiguration")["RestrictPublicBuckets"] = false
	}},
	{"APP-5", "Workload", "user data names the master secret", func(t *testing.T, tpl *controls.Template) {
		d := props(t, one(t, tpl, "AWS::EC2::LaunchTemplate"), "LaunchTemplateData")
		d["UserData"] = map[string]any{"Fn::Base64": map[string]any{"Fn::Join": []any{"", []any{
			"#!/bin/bash\nSECRET=", ref(one(t, tpl, "AWS::SecretsManager::SecretTargetAttachment"))}}}}
	}},
	{"APP-5", "Workload", "password in user data", func(t *testing.T, tpl *controls.Template) {
		d := props(t, one(t, tpl, "AWS::EC2::LaunchTemplate"), "LaunchTemplateData")
		d["UserData"] = map[string]any{"Fn::Base64": map[string]any{"Fn::Join": []any{"", []any{
			"#!/bin/bash\nexport PGPASSWORD=", "{{resolve:secretsmanager:", ref(one(t, tpl, "AWS::SecretsManager::Secret")), ":SecretString:password::}}"}}}}
	}},
	{"APP-6", "Workload", "app port open to the VPC", func(t *testing.T, tpl *controls.Template) {
		appendList(atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppSecurityGroup/Resource").Properties(), "SecurityGroupIngress",
			map[string]any{"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443, "CidrIp": "10.0.0.0/16"})
	}},
	{"APP-6", "Workload", "all egress", func(t *testing.T, tpl *controls.Template) {
		appendList(atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppSecurityGroup/Resource").Properties(), "SecurityGroupEgress",
			map[string]any{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"})
	}},
	{"EDGE-1", "Workload", "internal load balancer", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::ElasticLoadBalancingV2::LoadBalancer").Properties()["Scheme"] = "internal"
	}},
	{"EDGE-1", "Workload", "load balancer admits 8080", func(t *testing.T, tpl *controls.Template) {
		appendList(atPath(t, tpl, "AWS::EC2::SecurityGroup", "Edge/SecurityGroup/Resource").Properties(), "SecurityGroupIngress",
			map[string]any{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "0.0.0.0/0"})
	}},
	{"EDGE-2", "Workload", "SSL policy without TLS 1.3", func(t *testing.T, tpl *controls.Template) {
		atPath(t, tpl, "AWS::ElasticLoadBalancingV2::Listener", "LoadBalancer/Https/Resource").Properties()["SslPolicy"] = "ELBSecurityPolicy-TLS-1-2-2017-01"
	}},
	{"EDGE-2", "Workload", "HTTP listener forwards instead of redirecting", func(t *testing.T, tpl *controls.Template) {
		tg := one(t, tpl, "AWS::ElasticLoadBalancingV2::TargetGroup")
		atPath(t, tpl, "AWS::ElasticLoadBalancingV2::Listener", "Redirect80To443/Resource").Properties()["DefaultActions"] =
			[]any{map[string]any{"Type": "forward", "TargetGroupArn": ref(tg)}}
	}},
	{"EDGE-2", "Workload", "certificate for another domain", func(t *testing.T, tpl *controls.Template) {
		certificate(t, tpl).Properties()["DomainName"] = "other.example.net"
	}},
	{"EDGE-3", "Workload", "invalid headers passed on", func(t *testing.T, tpl *controls.Template) {
		setLBAttribute(t, tpl, "routing.http.drop_invalid_header_fields.enabled", "false")
	}},
	{"EDGE-3", "Workload", "desync mitigation monitor only", func(t *testing.T, tpl *controls.Template) {
		setLBAttribute(t, tpl, "routing.http.desync_mitigation_mode", "monitor")
	}},
	{"EDGE-3", "Workload", "access logs off", func(t *testing.T, tpl *controls.Template) {
		setLBAttribute(t, tpl, "access_logs.s3.enabled", "false")
	}},
	{"EDGE-4", "Workload", "plain HTTP to the instances", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::ElasticLoadBalancingV2::TargetGroup").Properties()["Protocol"] = "HTTP"
	}},
	{"EDGE-5", "Workload", "WAF association removed", func(t *testing.T, tpl *controls.Template) {
		deleteResource(tpl, one(t, tpl, "AWS::WAFv2::WebACLAssociation"))
	}},
	{"EDGE-5", "Workload", "SQL injection rules only counting", func(t *testing.T, tpl *controls.Template) {
		for _, r := range one(t, tpl, "AWS::WAFv2::WebACL").Properties()["Rules"].([]any) {
			if r.(map[string]any)["Name"] == "AWSManagedRulesSQLiRuleSet" {
				r.(map[string]any)["OverrideAction"] = map[string]any{"Count": map[string]any{}}
			}
		}
	}},
	{"EDGE-5", "Workload", "cookies in the WAF log", func(t *testing.T, tpl *controls.Template) {
		delete(one(t, tpl, "AWS::WAFv2::LoggingConfiguration").Properties(), "RedactedFields")
	}},
	{"EDGE-5", "Workload", "WAF logging removed", func(t *testing.T, tpl *controls.Template) {
		deleteResource(tpl, one(t, tpl, "AWS::WAFv2::LoggingConfiguration"))
	}},
	{"ALERT-1", "Workload", "alerts topic unencrypted", func(t *testing.T, tpl *controls.Template) {
		delete(one(t, tpl, "AWS::SNS::Topic").Properties(), "KmsMasterKeyId")
	}},
	{"ALERT-1", "Workload", "alerts topic accepts plain HTTP", func(t *testing.T, tpl *controls.Template) {
		removeStatements(t, tpl, "AWS::SNS::TopicPolicy", func(s map[string]any) bool { return strings.Contains(jsonOf(s), "aws:SecureTransport") })
	}},
	{"TRAIL-4", "Workload", "no data events", func(t *testing.T, tpl *controls.Template) {
		delete(one(t, tpl, "AWS::CloudTrail::Trail").Properties(), "EventSelectors")
	}},
	{"DET-1", "Workload", "a CIS filter pattern altered", func(t *testing.T, tpl *controls.Template) {
		for _, mf := range tpl.Resources("AWS::Logs::MetricFilter") {
			if strings.Contains(mf.String("FilterPattern"), "Root") {
				mf.Properties()["FilterPattern"] = `{$.userIdentity.type="Root"}`
			}
		}
	}},
	{"DET-1", "Workload", "an alarm without action", func(t *testing.T, tpl *controls.Template) {
		for _, a := range tpl.Resources("AWS::CloudWatch::Alarm") {
			if a.String("MetricName") == "ConsoleSignInWithoutMfa" {
				delete(a.Properties(), "AlarmActions")
			}
		}
	}},
	{"DET-2", "Workload", "GuardDuty runtime monitoring off", func(t *testing.T, tpl *controls.Template) {
		for _, f := range one(t, tpl, "AWS::GuardDuty::Detector").Properties()["Features"].([]any) {
			if f.(map[string]any)["Name"] == "RUNTIME_MONITORING" {
				f.(map[string]any)["Status"] = "DISABLED"
			}
		}
	}},
	{"DET-2", "Workload", "GuardDuty findings every six hours", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::GuardDuty::Detector").Properties()["FindingPublishingFrequency"] = "SIX_HOURS"
	}},
	{"DET-3", "Workload", "Config recorder removed", func(t *testing.T, tpl *controls.Template) {
		deleteResource(tpl, one(t, tpl, "AWS::Config::ConfigurationRecorder"))
	}},
	{"DET-3", "Workload", "global IAM types not recorded", func(t *testing.T, tpl *controls.Template) {
		props(t, one(t, tpl, "AWS::Config::ConfigurationRecorder"), "RecordingGroup")["IncludeGlobalResourceTypes"] = false
	}},
	{"DET-4", "Workload", "root MFA rule removed", func(t *testing.T, tpl *controls.Template) {
		for _, r := range tpl.Resources("AWS::Config::ConfigRule") {
			if strings.Contains(jsonOf(r.Properties()), "ROOT_ACCOUNT_MFA_ENABLED") {
				deleteResource(tpl, r)
			}
		}
	}},
	{"DET-5", "Workload", "a Security Hub standard removed", func(t *testing.T, tpl *controls.Template) {
		for _, s := range tpl.Resources("AWS::SecurityHub::Standard") {
			if strings.Contains(jsonOf(s.Properties()), "cis-aws-foundations-benchmark") {
				deleteResource(tpl, s)
			}
		}
	}},
	{"DET-6", "Workload", "Access Analyzer removed", func(t *testing.T, tpl *controls.Template) {
		deleteResource(tpl, one(t, tpl, "AWS::AccessAnalyzer::Analyzer"))
	}},
	{"DET-7", "Workload", "GuardDuty alerts only from severity 8", func(t *testing.T, tpl *controls.Template) {
		for _, r := range tpl.Resources("AWS::Events::Rule") {
			if strings.Contains(jsonOf(r.Properties()), "aws.guardduty") {
				r.Properties()["EventPattern"].(map[string]any)["detail"] = map[string]any{"severity": []any{map[string]any{"numeric": []any{">=", 8}}}}
			}
		}
	}},
	{"DET-7", "Workload", "Security Hub rule disabled", func(t *testing.T, tpl *controls.Template) {
		for _, r := range tpl.Resources("AWS::Events::Rule") {
			if strings.Contains(jsonOf(r.Properties()), "aws.securityhub") {
				r.Properties()["State"] = "DISABLED"
			}
		}
	}},
	{"BASE-1", "Workload", "8-character passwords", func(t *testing.T, tpl *controls.Template) {
		for _, r := range tpl.Resources("Custom::AWS") {
			if c := r.String("Create"); strings.Contains(c, "UpdateAccountPasswordPolicy") {
				r.Properties()["Create"] = strings.Replace(c, `"MinimumPasswordLength":14`, `"MinimumPasswordLength":8`, 1)
			}
		}
	}},
	{"BASE-2", "Workload", "EBS encryption by default not set", func(t *testing.T, tpl *controls.Template) {
		for _, r := range tpl.Resources("Custom::AWS") {
			if strings.Contains(r.String("Create"), "EnableEbsEncryptionByDefault") {
				deleteResource(tpl, r)
			}
		}
	}},
	{"KMS-2", "LogArchive", "anyone may create grants", func(t *testing.T, tpl *controls.Template) {
		removeStatements(t, tpl, "AWS::KMS::Key", func(s map[string]any) bool { return s["Sid"] == "GrantsOnlyForAwsResources" })
	}},
	{"KMS-3", "LogArchive", "the account may do anything with the archive key", func(t *testing.T, tpl *controls.Template) {
		for _, s := range statements(t, tpl, "AWS::KMS::Key", "KeyPolicy") {
			if s["Sid"] == "AccountAdministersTheKey" {
				s["Action"] = "kms:*"
			}
		}
	}},
	{"KMS-3", "Data", "the application bucket's key used by the account outside S3", func(t *testing.T, tpl *controls.Template) {
		key := atPath(t, tpl, "AWS::KMS::Key", "AppBucket/Key/Resource")
		for _, s := range key.Properties()["KeyPolicy"].(map[string]any)["Statement"].([]any) {
			if s := s.(map[string]any); s["Sid"] == "AccountUsesTheKeyThroughItsServices" {
				delete(s["Condition"].(map[string]any)["StringEquals"].(map[string]any), "kms:ViaService")
			}
		}
	}},
	{"DEPUTY-1", "Workload", "any account's rules may publish alerts", func(t *testing.T, tpl *controls.Template) {
		for _, s := range statements(t, tpl, "AWS::SNS::TopicPolicy", "PolicyDocument") {
			if s["Sid"] == "RulesOfThisAccountPublish" {
				delete(s, "Condition")
			}
		}
	}},
	{"DEPUTY-1", "Workload", "rules may publish alerts from a source that only names the account in a bucket's name", func(t *testing.T, tpl *controls.Template) {
		for _, s := range statements(t, tpl, "AWS::SNS::TopicPolicy", "PolicyDocument") {
			if s["Sid"] == "RulesOfThisAccountPublish" {
				s["Condition"] = map[string]any{"ArnLike": map[string]any{"aws:SourceArn": map[string]any{"Fn::Join": []any{"", []any{"arn:aws:s3:::logs-", map[string]any{"Ref": "AWS::AccountId"}}}}}}
			}
		}
	}},
	{"DEPUTY-1", "Data", "flow logs of any account may assume the role", func(t *testing.T, tpl *controls.Template) {
		for _, s := range statements(t, tpl, "AWS::IAM::Role", "AssumeRolePolicyDocument") {
			if strings.Contains(jsonOf(s), "vpc-flow-logs") {
				delete(s, "Condition")
			}
		}
	}},
	{"DEPUTY-1", "LogArchive", "CloudTrail of any account may write", func(t *testing.T, tpl *controls.Template) {
		for _, s := range statements(t, tpl, "AWS::S3::BucketPolicy", "PolicyDocument") {
			if s["Sid"] == "CloudTrailWrite" {
				delete(s["Condition"].(map[string]any)["StringEquals"].(map[string]any), "aws:SourceArn")
			}
		}
	}},
	{"LAMBDA-1", "Workload", "the default security group's function logs where Lambda likes", func(t *testing.T, tpl *controls.Template) {
		delete(atPath(t, tpl, "AWS::Lambda::Function", "VpcRestrictDefaultSGCustomResourceProvider/Handler").Properties(), "LoggingConfig")
	}},
	{"LAMBDA-1", "Workload", "the account baseline's function logs unencrypted", func(t *testing.T, tpl *controls.Template) {
		for _, fn := range tpl.Resources("AWS::Lambda::Function") {
			if lg, ok := tpl.Resource(controls.RefTargetOr(fn.Properties()["LoggingConfig"].(map[string]any)["LogGroup"])); ok && strings.Contains(fn.Path(), "AWS679f53fac002430cb0da5b7982bd2287") {
				delete(lg.Properties(), "KmsKeyId")
			}
		}
	}},
	{"DB-7", "Workload", "the rotation function's log group is never claimed", func(t *testing.T, tpl *controls.Template) {
		for _, r := range tpl.Resources("Custom::AWS") {
			if strings.Contains(jsonOf(r.Properties()["Create"]), "putRetentionPolicy") {
				deleteResource(tpl, r)
			}
		}
	}},
	{"DB-7", "Workload", "the rotation function left unnamed", func(t *testing.T, tpl *controls.Template) {
		delete(props(t, one(t, tpl, "AWS::SecretsManager::RotationSchedule"), "HostedRotationLambda"), "RotationLambdaName")
	}},
	{"ORG-2", "Data", "the default security group's provider role untagged", func(t *testing.T, tpl *controls.Template) {
		delete(atPath(t, tpl, "AWS::IAM::Role", "VpcRestrictDefaultSGCustomResourceProvider/Role").Properties(), "Tags")
	}},
	{"RET-1", "LogArchive", "CloudTrail bucket deleted with the stack", func(t *testing.T, tpl *controls.Template) {
		trailBucket(t, tpl).Raw["DeletionPolicy"] = "Delete"
	}},
	{"RET-1", "Workload", "log group key deleted with the stack", func(t *testing.T, tpl *controls.Template) {
		atPath(t, tpl, "AWS::KMS::Key", "/Audit/LogKey/Resource").Raw["DeletionPolicy"] = "Delete"
	}},
	{"RET-1", "Workload", "master secret deleted with the stack", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::SecretsManager::Secret").Raw["DeletionPolicy"] = "Delete"
	}},
	{"LIFE-1", "LogArchive", "archive key kept after a rolled-back create", func(t *testing.T, tpl *controls.Template) {
		atPath(t, tpl, "AWS::KMS::Key", "Archive/Key/Resource").Raw["DeletionPolicy"] = "Retain"
	}},
	{"LIFE-1", "Data", "flow log group retained under a fixed name", func(t *testing.T, tpl *controls.Template) {
		atPath(t, tpl, "AWS::Logs::LogGroup", "Network/FlowLogGroup/Resource").Properties()["LogGroupName"] = "/fixed/vpc-flow-logs"
	}},
	{"LIFE-1", "Service", "WAF log group retained under a fixed name", func(t *testing.T, tpl *controls.Template) {
		atPath(t, tpl, "AWS::Logs::LogGroup", "Edge/WafLogGroup/Resource").Properties()["LogGroupName"] = "aws-waf-logs-fixed"
	}},
	{"LIFE-2", "Workload", "a second account analyzer", func(t *testing.T, tpl *controls.Template) {
		addResource(tpl, "MutationAnalyzer", map[string]any{"Type": "AWS::AccessAnalyzer::Analyzer", "Properties": map[string]any{"Type": "ACCOUNT"}})
	}},
	{"LIFE-2", "Workload", "no GuardDuty detector with detectionServices on", func(t *testing.T, tpl *controls.Template) {
		deleteResource(tpl, one(t, tpl, "AWS::GuardDuty::Detector"))
	}},
	{"LIFE-3", "Workload", "delivery channel made to wait for the recorder", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::Config::DeliveryChannel").Raw["DependsOn"] = one(t, tpl, "AWS::Config::ConfigurationRecorder").LogicalID
	}},
	{"LIFE-3", "Workload", "Config rules no longer wait for the recorder", func(t *testing.T, tpl *controls.Template) {
		for _, r := range tpl.Resources("AWS::Config::ConfigRule") {
			delete(r.Raw, "DependsOn")
		}
	}},
	{"LIFE-3", "Workload", "a Security Hub standard no longer waits for the hub", func(t *testing.T, tpl *controls.Template) {
		delete(atPath(t, tpl, "AWS::SecurityHub::Standard", "/Detection/StandardCisAwsFoundationsBenchmark").Raw, "DependsOn")
	}},
	{"LIFE-3", "Workload", "the Config buckets no longer wait for the singletons", func(t *testing.T, tpl *controls.Template) {
		b, _ := tpl.Resource(controls.RefTargetOr(one(t, tpl, "AWS::Config::DeliveryChannel").Properties()["S3BucketName"]))
		delete(b.Raw, "DependsOn")
		logs, _ := b.Get("LoggingConfiguration", "DestinationBucketName")
		l, _ := tpl.Resource(controls.RefTargetOr(logs))
		delete(l.Raw, "DependsOn")
	}},
	{"LIFE-3", "Data", "the access-log bucket no longer waits for the database", func(t *testing.T, tpl *controls.Template) {
		delete(atPath(t, tpl, "AWS::S3::Bucket", "Data/AccessLogBucket/Resource").Raw, "DependsOn")
	}},
	{"LIFE-3", "Workload", "the flow log no longer waits for its role's policy", func(t *testing.T, tpl *controls.Template) {
		delete(one(t, tpl, "AWS::EC2::FlowLog").Raw, "DependsOn")
	}},
	{"LIFE-4", "Workload", "Auto Scaling notifies the encrypted alerts topic", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::AutoScaling::AutoScalingGroup").Properties()["NotificationConfigurations"] = []any{map[string]any{
			"TopicARN": ref(one(t, tpl, "AWS::SNS::Topic")), "NotificationTypes": []any{"autoscaling:EC2_INSTANCE_LAUNCH_ERROR"},
		}}
	}},
	{"LIFE-4", "Workload", "EventBridge and alarms cannot use the alerts key", func(t *testing.T, tpl *controls.Template) {
		key, _ := tpl.Resource(controls.RefTargetOr(one(t, tpl, "AWS::SNS::Topic").Properties()["KmsMasterKeyId"]))
		doc := key.Properties()["KeyPolicy"].(map[string]any)
		var keep []any
		for _, s := range doc["Statement"].([]any) {
			if !strings.Contains(jsonOf(s), "events.amazonaws.com") {
				keep = append(keep, s)
			}
		}
		doc["Statement"] = keep
	}},
	{"LIFE-5", "Data", "a load balancer beside the database", func(t *testing.T, tpl *controls.Template) {
		addResource(tpl, "MutationLoadBalancer", map[string]any{"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": map[string]any{}})
	}},
	{"LIFE-5", "Service", "a bucket in the service stack", func(t *testing.T, tpl *controls.Template) {
		addResource(tpl, "MutationBucket", map[string]any{"Type": "AWS::S3::Bucket", "Properties": map[string]any{}})
	}},
	{"LIFE-8", "Baseline", "the Config bucket is not emptied in a rollback", func(t *testing.T, tpl *controls.Template) {
		deleteResource(tpl, atPath(t, tpl, controls.EmptyOnRollbackType, "Detection/ConfigBucketEmptyOnRollback/Default"))
	}},
	{"LIFE-8", "Data", "the access-log bucket's policy outlives its emptier", func(t *testing.T, tpl *controls.Template) {
		delete(atPath(t, tpl, "AWS::S3::BucketPolicy", "AccessLogBucket/Policy/Resource").Raw, "DependsOn")
	}},
	{"LIFE-8", "Baseline", "the emptier's role may delete from the Config bucket at any time", func(t *testing.T, tpl *controls.Template) {
		removeStatements(t, tpl, "AWS::S3::BucketPolicy", func(s map[string]any) bool { return s["Sid"] == "OnlyARollbackEmptiesIt" })
	}},
	{"LIFE-8", "LogArchive", "the access-log bucket locked", func(t *testing.T, tpl *controls.Template) {
		accessLogBucket(t, tpl).Properties()["ObjectLockEnabled"] = true
	}},
	{"LIFE-6", "Workload", "no GuardDuty endpoint of the VPC's own", func(t *testing.T, tpl *controls.Template) {
		deleteResource(tpl, atPath(t, tpl, "AWS::EC2::VPCEndpoint", "Vpc/GuardDutyDataEndpoint/Resource"))
	}},
	{"LIFE-6", "Workload", "the GuardDuty endpoint admits the VPC's range", func(t *testing.T, tpl *controls.Template) {
		appendList(atPath(t, tpl, "AWS::EC2::SecurityGroup", "GuardDutyEndpointSecurityGroup/Resource").Properties(), "SecurityGroupIngress",
			map[string]any{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/16"})
	}},
	{"LIFE-6", "Workload", "the GuardDuty endpoint admits every account", func(t *testing.T, tpl *controls.Template) {
		delete(atPath(t, tpl, "AWS::EC2::VPCEndpoint", "Vpc/GuardDutyDataEndpoint/Resource").Properties(), "PolicyDocument")
	}},
}

// TestMutations proves that every control's check catches a weakened
// template: each mutation of an otherwise compliant synthesis must make its
// control fail, through the same Evaluate that cmd/verify runs.
func TestMutations(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, p := range profiles {
		list := variantMutations
		if p.golden {
			list = mutations // written for the two-account placeholder configuration
		}
		if p.context["governedRegions"] != nil {
			list = append(list[:len(list):len(list)], regionMutations...)
		}
		a := synth(t, p.name)
		for _, m := range list {
			covered[m.control] = true
			t.Run(p.name+"/"+m.control+"/"+m.name, func(t *testing.T) { mutate(t, a, m) })
		}
	}
	for _, c := range controls.All() {
		if !covered[c.ID] {
			t.Errorf("control %s has no mutation test: add one to mutations", c.ID)
		}
	}
}

// mutate weakens one template of a (or the workload account's view) and
// expects the mutation's control to fail.
func mutate(t *testing.T, a *assembly, m mutation) {
	var set []*controls.Template
	if m.stack == "Workload" {
		view := a.workload(t)
		m.weaken(t, view)
		set = []*controls.Template{view}
		for _, tpl := range a.list() {
			if !isWorkloadHome(tpl) {
				set = append(set, tpl)
			}
		}
	} else {
		for _, tpl := range a.list() {
			if strings.HasSuffix(tpl.Name, "/"+m.stack+".template.json") {
				tpl = tpl.Clone()
				m.weaken(t, tpl)
			}
			set = append(set, tpl)
		}
	}
	var control []controls.Control
	for _, c := range controls.All() {
		if c.ID == m.control {
			control = append(control, c)
		}
	}
	results, err := controls.Evaluate(control, set, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Control.ID == m.control && r.Status == controls.Fail {
			return
		}
	}
	t.Errorf("%s still passes after %q", m.control, m.name)
}

// regionMutations weaken what governing three regions adds (the production
// synthesis): the baselines of the governed regions beyond the home region.
var regionMutations = []mutation{
	{"BASE-2", "Baseline-eu-west-1", "EBS encryption by default left off in a region", func(t *testing.T, tpl *controls.Template) {
		for _, r := range tpl.Resources("Custom::AWS") {
			if strings.Contains(fmt.Sprint(r.Properties()["Create"]), "EnableEbsEncryptionByDefault") {
				deleteResource(tpl, r)
			}
		}
	}},
	{"DET-2", "LoggingBaseline-ap-southeast-2", "GuardDuty off in a region of the logging account", func(t *testing.T, tpl *controls.Template) {
		deleteResource(tpl, one(t, tpl, "AWS::GuardDuty::Detector"))
	}},
	{"DET-3", "Baseline-eu-west-1", "global resource types recorded twice", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::Config::ConfigurationRecorder").Properties()["RecordingGroup"] = map[string]any{"AllSupported": true, "IncludeGlobalResourceTypes": true}
	}},
	{"DET-5", "Baseline", "a region left out of Security Hub's aggregation", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::SecurityHub::FindingAggregator").Properties()["Regions"] = []any{"eu-west-1"}
	}},
	{"DET-7", "Baseline-eu-west-1", "a region's GuardDuty findings not forwarded", func(t *testing.T, tpl *controls.Template) {
		for _, r := range tpl.Resources("AWS::Events::Rule") {
			deleteResource(tpl, r)
		}
	}},
	{"LIFE-2", "LoggingBaseline-eu-west-1", "a second GuardDuty detector in a region", func(t *testing.T, tpl *controls.Template) {
		addResource(tpl, "MutationDetector", map[string]any{"Type": "AWS::GuardDuty::Detector", "Properties": map[string]any{"Enable": true}})
	}},
}

// uploadsMayAlsoRead lets the instance role's upload statement also read
// the secret resource.
func uploadsMayAlsoRead(t *testing.T, tpl *controls.Template, resource any) {
	t.Helper()
	for _, s := range statements(t, tpl, "AWS::IAM::ManagedPolicy", "PolicyDocument") {
		if s["Sid"] == "WriteUploads" {
			s["Action"] = []any{"s3:PutObject", "secretsmanager:GetSecretValue"}
			s["Resource"] = []any{s["Resource"], resource}
		}
	}
}

// dropAppEgress removes the egress rules of the app tier's security group
// (inline or standalone) that drop matches.
func dropAppEgress(t *testing.T, tpl *controls.Template, drop func(map[string]any) bool) {
	t.Helper()
	sg := atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppSecurityGroup/Resource")
	removed := 0
	if inline, ok := sg.Properties()["SecurityGroupEgress"].([]any); ok {
		var keep []any
		for _, e := range inline {
			if drop(e.(map[string]any)) {
				removed++
				continue
			}
			keep = append(keep, e)
		}
		sg.Properties()["SecurityGroupEgress"] = keep
	}
	for _, r := range tpl.Resources("AWS::EC2::SecurityGroupEgress") {
		if controls.RefTargetOr(r.Properties()["GroupId"]) == sg.LogicalID && drop(r.Properties()) {
			deleteResource(tpl, r)
			removed++
		}
	}
	if removed == 0 {
		t.Fatalf("%s: no egress rule of the app tier's security group matched", tpl.Name)
	}
}

// deleteEndpoints deletes the interface endpoints of a service.
func deleteEndpoints(tpl *controls.Template, svc string) {
	for _, e := range tpl.Resources("AWS::EC2::VPCEndpoint") {
		if name, _ := e.Properties()["ServiceName"].(string); strings.HasSuffix(name, "."+svc) {
			deleteResource(tpl, e)
		}
	}
}

// appRole is the role declared the app tier's.
func appRole(t *testing.T, tpl *controls.Template) controls.Resource {
	t.Helper()
	rs := tpl.Declared(controls.IdentityAppRole)
	if len(rs) != 1 {
		t.Fatalf("%s: %d roles declared the app tier's", tpl.Name, len(rs))
	}
	return rs[0]
}

// addGrantRow adds a row to the grant table recorded on the app tier's
// role, as a row of apptier.Grants would, without the policy statement.
func addGrantRow(t *testing.T, tpl *controls.Template, sid, service, action string, resource any) {
	t.Helper()
	md := appRole(t, tpl).Raw["Metadata"].(map[string]any)
	md[controls.GrantsKey] = append(md[controls.GrantsKey].([]any), controls.TierGrant{Sid: sid, Service: service, Actions: []string{action}, Resource: resource, Why: "a mutation"}.Map())
}

// grant gives the app tier a permission as a row of apptier.Grants does:
// in its grant table and its policy.
func grant(t *testing.T, tpl *controls.Template, sid, service, action string, resource any) {
	t.Helper()
	addGrantRow(t, tpl, sid, service, action, resource)
	doc := atPath(t, tpl, "AWS::IAM::ManagedPolicy", "App/InstancePolicy/Resource").Properties()["PolicyDocument"].(map[string]any)
	doc["Statement"] = append(doc["Statement"].([]any), map[string]any{"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource})
}

// s3EndpointAllows adds a statement to the S3 gateway endpoint's policy.
func s3EndpointAllows(t *testing.T, tpl *controls.Template, action, resource string) {
	t.Helper()
	doc := atPath(t, tpl, "AWS::EC2::VPCEndpoint", "Vpc/S3/Resource").Properties()["PolicyDocument"].(map[string]any)
	doc["Statement"] = append(doc["Statement"].([]any), map[string]any{"Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource})
}

// addKeyStatement adds a statement to the policy of the key at path.
func addKeyStatement(t *testing.T, tpl *controls.Template, path string, statement map[string]any) {
	t.Helper()
	doc := atPath(t, tpl, "AWS::KMS::Key", path).Properties()["KeyPolicy"].(map[string]any)
	doc["Statement"] = append(doc["Statement"].([]any), statement)
}

// appUser is the custom resource that creates the application's database
// user.
func appUser(t *testing.T, tpl *controls.Template) controls.Resource {
	t.Helper()
	rs := tpl.Declared(controls.IdentityAppDatabaseUser)
	if len(rs) != 1 {
		t.Fatalf("%d application database users", len(rs))
	}
	return rs[0]
}

// variantMutations weaken the controls that apply only with the settings
// of the "variants" synthesis (a permissions boundary, tags, the GitHub
// deploy stack).
var variantMutations = []mutation{
	{"NET-1", "Workload", "a Data subnet placed by zone name", func(t *testing.T, tpl *controls.Template) {
		p := atPath(t, tpl, "AWS::EC2::Subnet", "DataSubnet2/Subnet").Properties()
		delete(p, "AvailabilityZoneId")
		p["AvailabilityZone"] = "us-east-1b"
	}},
	{"LIFE-7", "Workload", "the certificate waits for a validation record by hand", func(t *testing.T, tpl *controls.Template) {
		delete(certificate(t, tpl).Properties(), "DomainValidationOptions")
	}},
	{"NET-7", "Workload", "the app tier sends all traffic to the internet", func(t *testing.T, tpl *controls.Template) {
		appendList(atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppSecurityGroup/Resource").Properties(), "SecurityGroupEgress",
			map[string]any{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"})
	}},
	{"NET-2", "Workload", "an App subnet without its NAT route", func(t *testing.T, tpl *controls.Template) {
		deleteResource(tpl, atPath(t, tpl, "AWS::EC2::Route", "AppSubnet1/DefaultRoute"))
	}},
	{"DB-8", "Workload", "the database also admits PostgreSQL's default port", func(t *testing.T, tpl *controls.Template) {
		db := atPath(t, tpl, "AWS::EC2::SecurityGroup", "Database/SecurityGroup/Resource")
		app := atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppSecurityGroup/Resource")
		addResource(tpl, "MutationOldPort", map[string]any{"Type": "AWS::EC2::SecurityGroupIngress", "Properties": map[string]any{
			"GroupId": getAtt(db, "GroupId"), "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "SourceSecurityGroupId": getAtt(app, "GroupId"),
		}})
	}},
	{"APP-6", "Workload", "the app tier sends to PostgreSQL's default port", func(t *testing.T, tpl *controls.Template) {
		app := atPath(t, tpl, "AWS::EC2::SecurityGroup", "AppSecurityGroup/Resource")
		db := atPath(t, tpl, "AWS::EC2::SecurityGroup", "Database/SecurityGroup/Resource")
		addResource(tpl, "MutationOldPortOut", map[string]any{"Type": "AWS::EC2::SecurityGroupEgress", "Properties": map[string]any{
			"GroupId": getAtt(app, "GroupId"), "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "DestinationSecurityGroupId": getAtt(db, "GroupId"),
		}})
	}},
	{"ORG-1", "Data", "a role without the boundary", func(t *testing.T, tpl *controls.Template) {
		delete(atPath(t, tpl, "AWS::IAM::Role", "/Network/FlowLogRole/Resource").Properties(), "PermissionsBoundary")
	}},
	{"ORG-1", "GitHubDeploy", "the deploy role under another boundary", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::IAM::Role").Properties()["PermissionsBoundary"] = "arn:aws:iam::aws:policy/PowerUserAccess"
	}},
	{"ORG-2", "Service", "the load balancer without the configured tags", func(t *testing.T, tpl *controls.Template) {
		lb := one(t, tpl, "AWS::ElasticLoadBalancingV2::LoadBalancer")
		var keep []any
		for _, tag := range lb.Properties()["Tags"].([]any) {
			if tag.(map[string]any)["Key"] != "cost-center" {
				keep = append(keep, tag)
			}
		}
		lb.Properties()["Tags"] = keep
	}},
	{"APP-7", "Workload", "the app tier sends no HTTPS to the internet, where Session Manager's services are", func(t *testing.T, tpl *controls.Template) {
		dropAppEgress(t, tpl, func(e map[string]any) bool { return e["CidrIp"] == "0.0.0.0/0" })
	}},
	{"GH-1", "GitHubDeploy", "any environment of the repository", func(t *testing.T, tpl *controls.Template) {
		for _, s := range statements(t, tpl, "AWS::IAM::Role", "AssumeRolePolicyDocument") {
			eq := s["Condition"].(map[string]any)["StringEquals"].(map[string]any)
			sub := eq["token.actions.githubusercontent.com:sub"]
			delete(eq, "token.actions.githubusercontent.com:sub")
			s["Condition"].(map[string]any)["StringLike"] = map[string]any{"token.actions.githubusercontent.com:sub": strings.Split(sub.(string), ":environment:")[0] + ":*"}
		}
	}},
	{"GH-1", "GitHubDeploy", "no audience pinned", func(t *testing.T, tpl *controls.Template) {
		for _, s := range statements(t, tpl, "AWS::IAM::Role", "AssumeRolePolicyDocument") {
			delete(s["Condition"].(map[string]any)["StringEquals"].(map[string]any), "token.actions.githubusercontent.com:aud")
		}
	}},
	{"GH-1", "GitHubDeploy", "the deploy role may do more than assume the bootstrap roles", func(t *testing.T, tpl *controls.Template) {
		addStatement(t, tpl, "AWS::IAM::ManagedPolicy", "PolicyDocument", map[string]any{"Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"})
	}},
	{"GH-1", "GitHubDeploy", "the deploy role trusted by any web identity", func(t *testing.T, tpl *controls.Template) {
		for _, s := range statements(t, tpl, "AWS::IAM::Role", "AssumeRolePolicyDocument") {
			s["Principal"] = map[string]any{"Federated": "cognito-identity.amazonaws.com"}
		}
	}},
}
