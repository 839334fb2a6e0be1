package controls

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

const databasePkg = "constructs/database"

// dbLogExports are the PostgreSQL logs that must reach CloudWatch Logs.
var dbLogExports = []string{"postgresql", "upgrade"}

func databaseControls() []Control {
	return inSection(LayerData, databasePkg, RoleWorkload, []Control{
		{
			ID: "DB-1", Title: "The database's storage, snapshots and Performance Insights are encrypted with a customer-managed key of the stack",
			Frameworks: []string{"FSBP RDS.3", "FSBP RDS.4", "CIS 2.3.1"},
			Check: forEachDB(func(t *Template, f StackFacts, db Resource) []Failure {
				var fails []Failure
				if !db.Bool("StorageEncrypted") {
					fails = append(fails, Failure{db.Path(), "StorageEncrypted is not true"})
				}
				if !isStackKey(t, db.Properties()["KmsKeyId"]) {
					fails = append(fails, Failure{db.Path(), "KmsKeyId is not a customer-managed key of this stack"})
				}
				if db.Bool("EnablePerformanceInsights") && !isStackKey(t, db.Properties()["PerformanceInsightsKMSKeyId"]) {
					fails = append(fails, Failure{db.Path(), "Performance Insights is not encrypted with a customer-managed key of this stack"})
				}
				return fails
			}),
		},
		{
			ID: "DB-2", Title: "The database is not publicly accessible and lives only in isolated subnets, in at least two zones",
			Frameworks: []string{"FSBP RDS.2", "CIS 2.3.3"},
			Check: forEachDB(func(t *Template, f StackFacts, db Resource) []Failure {
				var fails []Failure
				if v, ok := db.Get("PubliclyAccessible"); !ok || !isFalse(v) {
					fails = append(fails, Failure{db.Path(), "PubliclyAccessible is not explicitly false"})
				}
				gid, ok := RefTarget(db.Properties()["DBSubnetGroupName"])
				g, found := t.Resource(gid)
				if !ok || !found || g.Type != "AWS::RDS::DBSubnetGroup" {
					return append(fails, Failure{db.Path(), "has no subnet group of this stack"})
				}
				azs := map[string]bool{}
				for _, s := range list(g.Properties()["SubnetIds"]) {
					id, _ := RefTarget(s)
					sn, found := t.Resource(id)
					if !found || sn.Type != "AWS::EC2::Subnet" || subnetTier(sn) != SubnetData {
						fails = append(fails, Failure{g.Path(), "includes " + describeValue(s) + ", which is not an isolated subnet of this stack"})
						continue
					}
					azs[describeValue(sn.Properties()["AvailabilityZone"])] = true
				}
				if len(azs) < 2 {
					fails = append(fails, Failure{g.Path(), fmt.Sprintf("spans %d zone(s); Multi-AZ needs two", len(azs))})
				}
				return fails
			}),
		},
		{
			ID: "DB-3", Title: "The database is Multi-AZ, keeps automated backups for the configured 7 to 35 days, copies tags to snapshots, has deletion protection and leaves a snapshot when deleted or replaced",
			Frameworks: []string{"FSBP RDS.5", "FSBP RDS.8", "FSBP RDS.11", "FSBP RDS.17"},
			Check: forEachDB(func(t *Template, f StackFacts, db Resource) []Failure {
				var fails []Failure
				for _, p := range []string{"MultiAZ", "CopyTagsToSnapshot", "DeletionProtection"} {
					if !db.Bool(p) {
						fails = append(fails, Failure{db.Path(), p + " is not true"})
					}
				}
				if n, _ := number(db.Properties()["BackupRetentionPeriod"]); n < 7 || n > 35 || int(n) != f.DBBackupDays {
					fails = append(fails, Failure{db.Path(), fmt.Sprintf("BackupRetentionPeriod is %v; the configuration says %d (7 to 35)", orNone(db.Properties()["BackupRetentionPeriod"]), f.DBBackupDays)})
				}
				for _, attr := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
					if db.Attribute(attr) != "Snapshot" {
						fails = append(fails, Failure{db.Path(), attr + " is " + orNone(db.Attribute(attr)).(string) + ", not Snapshot"})
					}
				}
				return fails
			}),
		},
		{
			ID: "DB-4", Title: "The database accepts only TLS connections (rds.force_ssl = 1), has IAM database authentication on, and its administrator is not named postgres",
			Frameworks: []string{"FSBP RDS.10", "FSBP RDS.25"},
			Check: forEachDB(func(t *Template, f StackFacts, db Resource) []Failure {
				var fails []Failure
				pid, ok := RefTarget(db.Properties()["DBParameterGroupName"])
				pg, found := t.Resource(pid)
				if !ok || !found || pg.Type != "AWS::RDS::DBParameterGroup" {
					fails = append(fails, Failure{db.Path(), "uses no parameter group of this stack, so the engine default (which does not force TLS on every version) applies"})
				} else if v, _ := pg.Get("Parameters", "rds.force_ssl"); fmt.Sprint(v) != "1" {
					fails = append(fails, Failure{pg.Path(), fmt.Sprintf("rds.force_ssl is %v, not 1", orNone(v))})
				}
				if !db.Bool("EnableIAMDatabaseAuthentication") {
					fails = append(fails, Failure{db.Path(), "EnableIAMDatabaseAuthentication is not true"})
				}
				if u := masterUsername(t, db); u == "" || u == "postgres" {
					fails = append(fails, Failure{db.Path(), fmt.Sprintf("the administrator's name is %q; use a name other than the engine default", u)})
				}
				return fails
			}),
		},
		{
			ID: "DB-5", Title: "The database exports its postgresql and upgrade logs to encrypted log groups with the configured retention, and has enhanced monitoring, Performance Insights and automatic minor version upgrades",
			Frameworks: []string{"FSBP RDS.6", "FSBP RDS.9", "FSBP RDS.13", "FSBP RDS.36", "CIS 2.3.2"},
			Check: forEachDB(func(t *Template, f StackFacts, db Resource) []Failure {
				var fails []Failure
				exported := map[string]bool{}
				for _, l := range list(db.Properties()["EnableCloudwatchLogsExports"]) {
					exported[fmt.Sprint(l)] = true
				}
				ident := ""
				if v, ok := db.Get("DBInstanceIdentifier"); ok {
					ident = flatten(v)
				}
				for _, l := range dbLogExports {
					if !exported[l] {
						fails = append(fails, Failure{db.Path(), "does not export the " + l + " log"})
						continue
					}
					name := "/aws/rds/instance/" + ident + "/" + l
					g := logGroupNamed(t, name)
					if ident == "" || g == nil {
						fails = append(fails, Failure{db.Path(), "the " + l + " log group (" + name + ") is not created by this stack, so RDS would create it unencrypted and kept forever"})
						continue
					}
					if !dependsOn(db, g.LogicalID) {
						fails = append(fails, Failure{db.Path(), "does not depend on " + g.Path() + ", so RDS may create the group first"})
					}
					fails = append(fails, encryptedLogGroup(t, *g, f.LogRetentionDays)...)
				}
				if n, _ := number(db.Properties()["MonitoringInterval"]); n <= 0 {
					fails = append(fails, Failure{db.Path(), "enhanced monitoring is off (MonitoringInterval is 0 or absent)"})
				}
				if !db.Bool("EnablePerformanceInsights") {
					fails = append(fails, Failure{db.Path(), "EnablePerformanceInsights is not true"})
				}
				if v, ok := db.Get("AutoMinorVersionUpgrade"); ok && isFalse(v) {
					fails = append(fails, Failure{db.Path(), "AutoMinorVersionUpgrade is false"})
				}
				return fails
			}),
		},
		{
			ID: "DB-6", Title: "The master password is generated by Secrets Manager at deployment, encrypted with a customer-managed key, and never appears in the template, a parameter or an output",
			Frameworks: []string{"FSBP SecretsManager.1"},
			Check: forEachDB(func(t *Template, f StackFacts, db Resource) []Failure {
				var fails []Failure
				if _, ok := db.Get("ManageMasterUserPassword"); ok {
					fails = append(fails, Failure{db.Path(), "uses an RDS-managed password, whose rotation this app cannot schedule"})
				}
				secret := masterSecret(t, db)
				if secret == nil {
					return append(fails, Failure{db.Path(), "MasterUserPassword is not a dynamic reference to a secret of this stack"})
				}
				if _, ok := secret.Get("GenerateSecretString"); !ok {
					fails = append(fails, Failure{secret.Path(), "does not generate its password (GenerateSecretString)"})
				}
				if _, ok := secret.Get("SecretString"); ok {
					fails = append(fails, Failure{secret.Path(), "carries a literal SecretString"})
				}
				if !isStackKey(t, secret.Properties()["KmsKeyId"]) {
					fails = append(fails, Failure{secret.Path(), "is not encrypted with a customer-managed key of this stack"})
				}
				for name, o := range mapOf(t.Body["Outputs"]) {
					if refersTo(o, secret.LogicalID) || strings.Contains(fmt.Sprint(o), "resolve:secretsmanager") {
						fails = append(fails, Failure{"Outputs/" + name, "exposes the master secret"})
					}
				}
				for name, p := range mapOf(t.Body["Parameters"]) {
					if strings.Contains(strings.ToLower(name), "password") {
						fails = append(fails, Failure{"Parameters/" + name, fmt.Sprintf("a password parameter (%v); passwords must come from Secrets Manager", p)})
					}
				}
				return fails
			}),
		},
		{
			ID: "DB-7", Title: "The master secret is rotated by the single-user rotation function on the configured schedule (30 days by default), running in the private subnets with its own security group, and logging into a group that the deployment claims before the first rotation, encrypted with a customer-managed key and kept for the configured retention",
			Frameworks: []string{"FSBP SecretsManager.1", "FSBP SecretsManager.4"},
			Check: forEachDB(func(t *Template, f StackFacts, db Resource) []Failure {
				secret := masterSecret(t, db)
				if secret == nil {
					return []Failure{{db.Path(), "has no master secret of this stack to rotate"}}
				}
				rs := rotationOf(t, secret.LogicalID)
				if rs == nil {
					return []Failure{{secret.Path(), "has no rotation schedule"}}
				}
				var fails []Failure
				if d := rotationDays(*rs); d != f.DBRotationDays || d < 1 {
					fails = append(fails, Failure{rs.Path(), fmt.Sprintf("rotates every %s; the configuration says %d days", orNone(rotationText(*rs)), f.DBRotationDays)})
				}
				if rt := rs.String("HostedRotationLambda", "RotationType"); rt != "PostgreSQLSingleUser" {
					fails = append(fails, Failure{rs.Path(), fmt.Sprintf("hosted rotation type is %v, not PostgreSQLSingleUser", orNone(rt))})
				}
				sgs, _ := rs.Get("HostedRotationLambda", "VpcSecurityGroupIds")
				if _, ok := RefTarget(sgs); !ok {
					fails = append(fails, Failure{rs.Path(), "the rotation function has no security group of this stack"})
				}
				fails = append(fails, rotationLogsClaimed(t, f, *rs)...)
				subnets, _ := rs.Get("HostedRotationLambda", "VpcSubnetIds")
				ids := refsIn(subnets)
				if len(ids) == 0 {
					fails = append(fails, Failure{rs.Path(), "the rotation function does not run in the VPC"})
				}
				for _, id := range ids {
					if sn, found := t.Resource(id); !found || subnetTier(sn) != SubnetApp {
						fails = append(fails, Failure{rs.Path(), "the rotation function runs in " + id + ", not a private subnet"})
					}
				}
				return fails
			}),
		},
		{
			ID: "DB-8", Title: "The database's security group admits only the database port, only from the security groups of the app instances, the rotation function and the database-user function (never a CIDR or prefix list), and allows no egress",
			Check: forEachDB(func(t *Template, f StackFacts, db Resource) []Failure {
				var fails []Failure
				port := db.Properties()["Port"]
				var rotationSG string
				if s := masterSecret(t, db); s != nil {
					if rs := rotationOf(t, s.LogicalID); rs != nil {
						v, _ := rs.Get("HostedRotationLambda", "VpcSecurityGroupIds")
						rotationSG, _ = RefTarget(v)
					}
				}
				sgs := list(db.Properties()["VPCSecurityGroups"])
				if len(sgs) == 0 {
					fails = append(fails, Failure{db.Path(), "has no security group of this stack"})
				}
				for _, v := range sgs {
					id, ok := RefTarget(v)
					sg, found := t.Resource(id)
					if !ok || !found || sg.Type != "AWS::EC2::SecurityGroup" {
						fails = append(fails, Failure{db.Path(), "uses security group " + describeValue(v) + ", which is not one of this stack"})
						continue
					}
					sources := map[string]bool{}
					for _, r := range ingressRules(t, id) {
						p, _ := number(port)
						switch {
						case r.source == "":
							fails = append(fails, Failure{r.path, "admits " + r.String() + ": only security groups may reach the database"})
						case !r.allowsOnly(int(p)):
							fails = append(fails, Failure{r.path, fmt.Sprintf("admits %s; only the database port %v is allowed", r.String(), orNone(port))})
						default:
							sources[r.source] = true
						}
					}
					clients := map[string]string{rotationSG: "the rotation function's", appUserFunctionSG(t): "the database-user function's"}
					for id := range launchTemplateSGs(t) {
						clients[id] = "the app instances'"
					}
					for id, whose := range clients {
						if id == "" || !sources[id] {
							fails = append(fails, Failure{sg.Path(), "does not admit " + whose + " security group"})
						}
					}
					for id := range sources {
						if _, ok := clients[id]; !ok {
							fails = append(fails, Failure{sg.Path(), "admits security group " + id + ", which is none of the database's clients"})
						}
					}
					for _, e := range egressDetails(t, id) {
						if e.cidr != "255.255.255.255/32" { // CDK's placeholder that allows nothing
							fails = append(fails, Failure{sg.Path(), "allows egress of " + e.String()})
						}
					}
				}
				return fails
			}),
		},
	})
}

// forEachDB runs check on every database instance; a stack without one fails.
func forEachDB(check func(t *Template, f StackFacts, db Resource) []Failure) func(t *Template, f StackFacts) []Failure {
	return func(t *Template, f StackFacts) []Failure {
		dbs := t.Resources("AWS::RDS::DBInstance")
		if len(dbs) == 0 {
			return []Failure{{"", "no RDS database instance"}}
		}
		var fails []Failure
		for _, db := range dbs {
			fails = append(fails, check(t, f, db)...)
		}
		return fails
	}
}

func isStackKey(t *Template, v any) bool {
	id, ok := RefTarget(v)
	k, found := t.Resource(id)
	return ok && found && k.Type == "AWS::KMS::Key"
}

var reResolveSecret = regexp.MustCompile(`^\{\{resolve:secretsmanager:\{([A-Za-z0-9]+)\}:SecretString:([a-z]+)::\}\}$`)

// masterSecret returns the secret that the database's MasterUserPassword is
// resolved from, when it is a secret of this stack.
func masterSecret(t *Template, db Resource) *Resource {
	m := reResolveSecret.FindStringSubmatch(flatten(db.Properties()["MasterUserPassword"]))
	if m == nil || m[2] != "password" {
		return nil
	}
	s, found := t.Resource(m[1])
	if !found || s.Type != "AWS::SecretsManager::Secret" {
		return nil
	}
	return &s
}

// masterUsername returns the administrator's name: literal, or from the
// template of the generated secret.
func masterUsername(t *Template, db Resource) string {
	if u := db.String("MasterUsername"); u != "" {
		return u
	}
	m := reResolveSecret.FindStringSubmatch(flatten(db.Properties()["MasterUsername"]))
	if m == nil || m[2] != "username" {
		return ""
	}
	s, found := t.Resource(m[1])
	if !found {
		return ""
	}
	tmpl := s.String("GenerateSecretString", "SecretStringTemplate")
	if m := regexp.MustCompile(`"username"\s*:\s*"([^"]*)"`).FindStringSubmatch(tmpl); m != nil {
		return m[1]
	}
	return ""
}

// rotationOf returns the rotation schedule of a secret, directly or through
// its target attachment.
func rotationOf(t *Template, secretID string) *Resource {
	targets := map[string]bool{secretID: true}
	for _, a := range t.Resources("AWS::SecretsManager::SecretTargetAttachment") {
		if id, ok := RefTarget(a.Properties()["SecretId"]); ok && id == secretID {
			targets[a.LogicalID] = true
		}
	}
	for _, rs := range t.Resources("AWS::SecretsManager::RotationSchedule") {
		if id, ok := RefTarget(rs.Properties()["SecretId"]); ok && targets[id] {
			return &rs
		}
	}
	return nil
}

var reRate = regexp.MustCompile(`^rate\((\d+) days?\)$`)

func rotationDays(rs Resource) int {
	if v, _ := rs.Get("RotationRules", "AutomaticallyAfterDays"); v != nil {
		n, _ := number(v)
		return int(n)
	}
	if m := reRate.FindStringSubmatch(rs.String("RotationRules", "ScheduleExpression")); m != nil {
		n, _ := number(m[1])
		return int(n)
	}
	return 0
}

func rotationText(rs Resource) string {
	if v, ok := rs.Get("RotationRules", "AutomaticallyAfterDays"); ok {
		return fmt.Sprintf("%v days", v)
	}
	return rs.String("RotationRules", "ScheduleExpression")
}

func logGroupNamed(t *Template, name string) *Resource {
	for _, g := range t.Resources("AWS::Logs::LogGroup") {
		if v, ok := g.Get("LogGroupName"); ok && flatten(v) == name {
			return &g
		}
	}
	return nil
}

func dependsOn(r Resource, id string) bool {
	switch d := r.Raw["DependsOn"].(type) {
	case string:
		return d == id
	case []any:
		for _, x := range d {
			if x == id {
				return true
			}
		}
	}
	return false
}

// RefsIn returns the logical IDs referenced (Ref, GetAtt) anywhere in v.
func RefsIn(v any) []string { return refsIn(v) }

func refsIn(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		if id, ok := RefTarget(v); ok {
			out = append(out, id)
			return
		}
		switch v := v.(type) {
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return out
}

func refersTo(v any, id string) bool {
	for _, r := range refsIn(v) {
		if r == id {
			return true
		}
	}
	return false
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// rotationLogsClaimed checks that the hosted rotation function, which the
// Secrets Manager transform creates outside the template, has a name, and
// that custom resources of the template create its log group with a
// customer-managed key, associate the key and set the configured
// retention, before the rotation schedule (logs.Claim).
func rotationLogsClaimed(t *Template, f StackFacts, rs Resource) []Failure {
	name := rs.String("HostedRotationLambda", "RotationLambdaName")
	if name == "" {
		return []Failure{{rs.Path(), "the rotation function has no name (RotationLambdaName), so its log group cannot be claimed: Lambda would make it unencrypted and keep it forever"}}
	}
	group := `"logGroupName":"/aws/lambda/` + name + `"`
	want := map[string]string{
		"createLogGroup":     "is not created with a customer-managed key",
		"associateKmsKey":    "is not associated with a customer-managed key",
		"putRetentionPolicy": fmt.Sprintf("is not kept for the configured %d days", f.LogRetentionDays),
	}
	for _, cr := range t.Resources("Custom::AWS") {
		call := flatten(cr.Properties()["Create"])
		if !strings.Contains(call, group) || !t.After(rs.LogicalID, cr.LogicalID) {
			continue
		}
		for action := range want {
			if !strings.Contains(call, `"action":"`+action+`"`) {
				continue
			}
			ok := false
			switch action {
			case "putRetentionPolicy":
				ok = strings.Contains(call, fmt.Sprintf(`"retentionInDays":%d`, f.LogRetentionDays))
			default:
				for _, id := range refsIn(cr.Properties()["Create"]) {
					if k, found := t.Resource(id); found && k.Type == "AWS::KMS::Key" {
						ok = true
					}
				}
			}
			if ok {
				delete(want, action)
			}
		}
	}
	var fails []Failure
	for _, why := range want {
		fails = append(fails, Failure{rs.Path(), "the rotation function's log group /aws/lambda/" + name + " " + why + " before the schedule"})
	}
	sort.Slice(fails, func(i, j int) bool { return fails[i].Reason < fails[j].Reason })
	return fails
}
