package test

import (
	"strings"
	"testing"

	"github.com/secure-webapp/secure-webapp/controls"
)

// TestControls runs every control of the registry, as a subtest named by its
// ID, on the synthesis of every profile.
func TestControls(t *testing.T) {
	for _, p := range profiles {
		t.Run(p.name, func(t *testing.T) {
			a := synth(t, p.name)
			for _, c := range controls.All() {
				t.Run(c.ID, func(t *testing.T) {
					results, err := controls.Evaluate([]controls.Control{c}, a.list(), true)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range results {
						for _, f := range r.Failures {
							t.Errorf("%s: %s: %s", r.Template, f.Resource, f.Reason)
						}
					}
				})
			}
		})
	}
}

// mutation weakens one control in a synthesized template; the control's
// check must then fail.
type mutation struct {
	control string
	stack   string // artifact ID: LogArchive or Workload
	name    string
	weaken  func(t *testing.T, tpl *controls.Template)
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
		delete(one(t, tpl, "AWS::Logs::LogGroup").Properties(), "KmsKeyId")
	}},
	{"KMS-1", "LogArchive", "log key rotation off", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::KMS::Key").Properties()["EnableKeyRotation"] = false
	}},
	{"KMS-1", "Workload", "log group key rotation off", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::KMS::Key").Properties()["EnableKeyRotation"] = false
	}},
	{"RET-1", "LogArchive", "CloudTrail bucket deleted with the stack", func(t *testing.T, tpl *controls.Template) {
		trailBucket(t, tpl).Raw["DeletionPolicy"] = "Delete"
	}},
	{"RET-1", "Workload", "log group key deleted with the stack", func(t *testing.T, tpl *controls.Template) {
		one(t, tpl, "AWS::KMS::Key").Raw["DeletionPolicy"] = "Delete"
	}},
}

// TestMutations proves that every control's check catches a weakened
// template: each mutation of an otherwise compliant synthesis must make its
// control fail, through the same Evaluate that cmd/verify runs.
func TestMutations(t *testing.T) {
	covered := map[string]bool{}
	for _, p := range profiles {
		if !p.golden {
			continue // the mutations are written for the two-account placeholder configuration
		}
		a := synth(t, p.name)
		for _, m := range mutations {
			covered[m.control] = true
			t.Run(p.name+"/"+m.control+"/"+m.name, func(t *testing.T) {
				var set []*controls.Template
				for _, tpl := range a.list() {
					if strings.HasSuffix(tpl.Name, "/"+m.stack+".template.json") {
						tpl = tpl.Clone()
						m.weaken(t, tpl)
					}
					set = append(set, tpl)
				}
				results, err := controls.Evaluate(controls.All(), set, true)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range results {
					if r.Control.ID == m.control && r.Status == controls.Fail {
						return
					}
				}
				t.Errorf("%s still passes after %q", m.control, m.name)
			})
		}
	}
	for _, c := range controls.All() {
		if !covered[c.ID] {
			t.Errorf("control %s has no mutation test: add one to mutations", c.ID)
		}
	}
}
