package controls

import (
	"fmt"
	"strings"
)

func trailControls() []Control {
	return inSection(LayerAudit, "constructs/trail", RoleWorkload, []Control{
		{
			ID: "TRAIL-1", Title: "Each account's trail (the workload account's, and the logging account's own) is logging, multi-region, includes global service events and management events (read and write), and validates its log files",
			Role:       RoleAccount,
			Frameworks: []string{"FSBP CloudTrail.1", "FSBP CloudTrail.4", "CIS 3.1", "CIS 3.2"},
			Check:      trailLogging,
		},
		{
			ID: "TRAIL-2", Title: "Each account's trail delivers to the log archive's bucket in the logging account, encrypted with the log archive's key",
			Role:       RoleAccount,
			Frameworks: []string{"FSBP CloudTrail.2", "CIS 3.5"},
			Check:      trailDelivered,
		},
		{
			ID: "TRAIL-3", Title: "Each account's trail also delivers to a CloudWatch Logs group encrypted with a customer-managed key and kept for the configured retention",
			Role:       RoleAccount,
			Frameworks: []string{"FSBP CloudTrail.5"},
			Check:      trailToLogs,
		},
		{
			ID: "TRAIL-4", Title: "With trailS3DataEvents on, the trail records the object reads and writes of every S3 bucket of the account (S3 data events)",
			Frameworks: []string{"FSBP S3.22", "FSBP S3.23", "CIS 3.8", "CIS 3.9"},
			Check:      trailRecordsS3Data,
		},
	})
}

// trailLogging checks that the account's trail logs every region, global services and management events.
func trailLogging(t *Template, f StackFacts) []Failure {
	tr, fails := accountTrail(t, f)
	if tr == nil {
		return fails
	}
	for _, p := range []string{"IsLogging", "IsMultiRegionTrail", "IncludeGlobalServiceEvents", "EnableLogFileValidation"} {
		if !tr.Bool(p) {
			fails = append(fails, Failure{tr.Path(), p + " is not true"})
		}
	}
	if !managementEventsAll(tr) {
		fails = append(fails, Failure{tr.Path(), "management events are not recorded for both reads and writes"})
	}
	return fails
}

// trailDelivered checks that the account's trail delivers to the log archive, encrypted with its key.
func trailDelivered(t *Template, f StackFacts) []Failure {
	tr, fails := accountTrail(t, f)
	if tr == nil {
		return fails
	}
	if b := tr.String("S3BucketName"); b != f.TrailBucketName {
		fails = append(fails, Failure{tr.Path(), fmt.Sprintf("delivers to bucket %s; the log archive's bucket is %s", describeValue(tr.Properties()["S3BucketName"]), f.TrailBucketName)})
	}
	if f.LoggingAccount == f.WorkloadAccount {
		fails = append(fails, Failure{tr.Path(), "the logging account is the workload account: the trail would write where the workload can delete"})
	}
	if !strings.Contains(f.TrailBucketName, "-"+f.LoggingAccount+"-") {
		fails = append(fails, Failure{tr.Path(), "the log archive's bucket name does not carry the logging account " + f.LoggingAccount})
	}
	if k := tr.String("KMSKeyId"); k != f.TrailKeyAlias || accountOf(k) != f.LoggingAccount {
		fails = append(fails, Failure{tr.Path(), fmt.Sprintf("encrypts with %s; the log archive's key is %s", describeValue(tr.Properties()["KMSKeyId"]), f.TrailKeyAlias)})
	}
	return fails
}

// trailToLogs checks that the account's trail also delivers to an encrypted, retained log group.
func trailToLogs(t *Template, f StackFacts) []Failure {
	tr, fails := accountTrail(t, f)
	if tr == nil {
		return fails
	}
	id, ok := RefTarget(tr.Properties()["CloudWatchLogsLogGroupArn"])
	lg, found := t.Resource(id)
	if !ok || !found || lg.Type != "AWS::Logs::LogGroup" {
		return []Failure{{tr.Path(), "does not deliver to a CloudWatch Logs group of this stack"}}
	}
	if _, ok := RefTarget(tr.Properties()["CloudWatchLogsRoleArn"]); !ok {
		fails = append(fails, Failure{tr.Path(), "has no role to write to CloudWatch Logs"})
	}
	fails = append(fails, encryptedLogGroup(t, lg, f.LogRetentionDays)...)
	return fails
}

// trailRecordsS3Data checks that the trail records S3 data events when trailS3DataEvents is on.
func trailRecordsS3Data(t *Template, f StackFacts) []Failure {
	tr, fails := accountTrail(t, f)
	if tr == nil || !f.TrailS3DataEvents {
		return fails
	}
	partition := "aws"
	if parts := strings.SplitN(f.TrailARN, ":", 3); len(parts) == 3 {
		partition = parts[1]
	}
	every := map[string]bool{"arn:" + partition + ":s3": true, "arn:" + partition + ":s3:::": true}
	for _, s := range list(tr.Properties()["EventSelectors"]) {
		rw, _ := dig(s, "ReadWriteType")
		for _, dr := range list(mapOf(s)["DataResources"]) {
			typ, _ := dig(dr, "Type")
			vals, _ := dig(dr, "Values")
			for _, v := range list(vals) {
				if typ == "AWS::S3::Object" && every[flatten(v)] && (rw == nil || rw == "All") {
					return nil
				}
			}
		}
	}
	return []Failure{{tr.Path(), "does not record the read and write data events of every bucket (an AWS::S3::Object selector of arn:" + partition + ":s3:::)"}}
}

// accountTrail finds the trail of the view's account, by the name the log
// archive admits.
func accountTrail(t *Template, f StackFacts) (*Resource, []Failure) {
	arn := f.TrailARN
	if f.Role == RoleLogArchive {
		arn = f.LoggingTrailARN
	}
	name := arn[strings.LastIndex(arn, "/")+1:]
	for _, tr := range t.Resources("AWS::CloudTrail::Trail") {
		if tr.String("TrailName") == name {
			return &tr, nil
		}
	}
	return nil, []Failure{{"", "no trail named " + name + " (the account's trail, which the log archive admits)"}}
}

// managementEventsAll: with no event selectors a trail records all
// management events; with selectors, one must include them for ReadWriteType All.
func managementEventsAll(tr *Resource) bool {
	sel, ok := tr.Get("EventSelectors")
	if !ok {
		return true
	}
	for _, s := range list(sel) {
		inc, ok := dig(s, "IncludeManagementEvents")
		rw, _ := dig(s, "ReadWriteType")
		if (!ok || inc == true) && (rw == nil || rw == "All") {
			return true
		}
	}
	return false
}

func describeValue(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return flatten(v)
}
