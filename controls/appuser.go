package controls

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// appUserControl is DB-9: the application is not the database's
// administrator.
func appUserControl() Control {
	return Control{
		ID: "DB-9", Title: "The application connects as its own database user, which the deployment creates through a function in the App subnets (after the VPC endpoints it works through, with a service timeout): IAM authentication only (rds_iam), no administrative attribute, and no grant beyond connecting and using its own tables; only that function is allowed to read the master secret",
		Layer: LayerData, Responsibility: Customer, Construct: databasePkg, Role: RoleWorkload,
		Frameworks: []string{"FSBP RDS.10"},
		Check:      each("AWS::RDS::DBInstance", "no RDS database instance", checkAppUser),
	}
}

// checkAppUser checks that the application connects as its own database user, created by a function in the App subnets.
func checkAppUser(t *Template, f StackFacts, db Resource) []Failure {
	users := t.Declared(IdentityAppDatabaseUser)
	if len(users) != 1 {
		return []Failure{{db.Path(), fmt.Sprintf("%d custom resources declare the application's database user; exactly one must", len(users))}}
	}
	u := users[0]
	var fails []Failure
	name := u.String("Username")
	if name != f.DBAppUser {
		fails = append(fails, Failure{u.Path(), fmt.Sprintf("creates user %q; the instance role may connect as %q", name, f.DBAppUser)})
	}
	if master := masterUsername(t, db); name == "" || strings.EqualFold(name, master) {
		fails = append(fails, Failure{u.Path(), "the application's user is the master user"})
	}
	if !refersToAny(u.Properties()["MasterSecretArn"], masterSecretLogicalIDs(t, db)) {
		fails = append(fails, Failure{u.Path(), "does not log in with the database's master secret"})
	}
	fails = append(fails, checkAppUserStatements(u, name)...)

	fn, found := t.Resource(RefTargetOr(u.Properties()["ServiceToken"]))
	if !found || fn.Type != "AWS::Lambda::Function" {
		return append(fails, Failure{u.Path(), "is not served by a Lambda function of the account's templates"})
	}
	fails = append(fails, appUserFunction(t, u, fn)...)
	return append(fails, othersReadMasterSecret(t, db, RefTargetOr(fn.Properties()["Role"]))...)
}

// appUserFunction checks that the database-user function runs in the App
// subnets, after the endpoints it works through, with a service timeout.
func appUserFunction(t *Template, u, fn Resource) []Failure {
	var fails []Failure
	subnets, _ := fn.Get("VpcConfig", "SubnetIds")
	fails = append(fails, inAppSubnets(t, fn.Path(), "the database-user function", subnets)...)
	// It answers CloudFormation through the S3 gateway endpoint and reads
	// the secret through the Secrets Manager endpoint: both must exist
	// before it runs and until it has answered a delete.
	for _, e := range []*Resource{endpoint(t, "s3", "Gateway"), endpoint(t, "secretsmanager", "Interface")} {
		if e != nil && !t.After(u.LogicalID, e.LogicalID) {
			fails = append(fails, Failure{u.Path(), "is not created after (and deleted before) " + e.Path() + ", through which its function works"})
		}
	}
	if n, ok := number(u.Properties()["ServiceTimeout"]); !ok || n > 900 {
		fails = append(fails, Failure{u.Path(), "has no ServiceTimeout of 15 minutes or less: a lost answer would keep the stack waiting for an hour"})
	}
	return fails
}

// othersReadMasterSecret fails every role but fnRole (the database-user
// function's) that may read the database's master secret.
func othersReadMasterSecret(t *Template, db Resource, fnRole string) []Failure {
	var fails []Failure
	for _, role := range t.Resources("AWS::IAM::Role") {
		if role.LogicalID == fnRole {
			continue
		}
		for _, s := range rolePolicyStatements(t, role) {
			if s.Allows() && s.GrantsAction("secretsmanager:GetSecretValue") && (refersToAny(s.Resources, masterSecretLogicalIDs(t, db)) || hasWildcardResource(s)) {
				fails = append(fails, Failure{role.Path(), "may read the master secret: only the database-user function (and the rotation function, which the transform makes) may"})
			}
		}
	}
	return fails
}

// masterSecretLogicalIDs are the logical IDs a reference to the database's
// master secret names: the secret and its attachment.
func masterSecretLogicalIDs(t *Template, db Resource) []string {
	s := masterSecret(t, db)
	if s == nil {
		return nil
	}
	out := []string{s.LogicalID}
	for _, a := range t.Resources("AWS::SecretsManager::SecretTargetAttachment") {
		if id, ok := RefTarget(a.Properties()["SecretId"]); ok && id == s.LogicalID {
			out = append(out, a.LogicalID)
		}
	}
	return out
}

// hasWildcardResource reports whether a resource of the statement is "*"
// or a Secrets Manager ARN pattern, which could match the master secret.
func hasWildcardResource(s Statement) bool {
	for _, r := range s.Resources {
		if v := flatten(r); v == "*" || (strings.Contains(v, ":secretsmanager:") && strings.ContainsAny(v, "*?")) {
			return true
		}
	}
	return false
}

// The grants the application's user may receive: the rds_iam role, and
// these privileges on objects.
var (
	appUserRoles      = map[string]bool{"rds_iam": true}
	appUserPrivileges = map[string]bool{"CONNECT": true, "USAGE": true, "SELECT": true, "INSERT": true, "UPDATE": true, "DELETE": true}
	// Role attributes that make a user an administrator, in CREATE or
	// ALTER ROLE, USER or GROUP, which PostgreSQL treats alike (their NO...
	// forms are what the user must have).
	adminAttributes = []string{"SUPERUSER", "CREATEDB", "CREATEROLE", "REPLICATION", "BYPASSRLS"}
	reRoleStatement = regexp.MustCompile(`(?is)^\s*(CREATE|ALTER)\s+(ROLE|USER|GROUP)\b`)
	reGrant         = regexp.MustCompile(`(?is)^\s*GRANT\s+(.+?)(?:\s+ON\s+(.+?))?\s+TO\s+(.+?)(?:\s+WITH\s+(.*?))?\s*$`)
	// The grant an ALTER DEFAULT PRIVILEGES statement gives future objects.
	reDefaultGrant = regexp.MustCompile(`(?is)^\s*ALTER\s+DEFAULT\s+PRIVILEGES\b.*?\b(GRANT\s.*)$`)
	reWord         = regexp.MustCompile(`[A-Za-z_]+`)
	reCreateRole   = regexp.MustCompile(`^DO \$\$BEGIN IF NOT EXISTS \(SELECT FROM pg_catalog\.pg_roles WHERE rolname = '([a-z_][a-z0-9_]*)'\) THEN CREATE ROLE ([a-z_][a-z0-9_]*) LOGIN; END IF; END\$\$$`)
)

// checkAppUserStatements reads the SQL the custom resource runs: the user
// must get rds_iam, and nothing that makes it an administrator or an owner.
func checkAppUserStatements(u Resource, user string) []Failure {
	var fails []Failure
	iam := false
	for _, v := range list(u.Properties()["Statements"]) {
		sql, _ := v.(string)
		problems, grantsIAM := appUserSQL(sql, user)
		for _, why := range problems {
			fails = append(fails, Failure{u.Path(), why})
		}
		iam = iam || grantsIAM
	}
	if !iam {
		fails = append(fails, Failure{u.Path(), "does not grant rds_iam to the application's user, so it would log in with a password"})
	}
	sort.Slice(fails, func(i, j int) bool { return fails[i].Reason < fails[j].Reason })
	return fails
}

// appUserSQL returns what is wrong with one SQL statement of the custom resource, and whether it grants rds_iam to user.
func appUserSQL(sql, user string) ([]string, bool) {
	up := strings.ToUpper(sql)
	if why, dynamic := dynamicSQL(sql, up, user); dynamic {
		if why == "" {
			return nil, false
		}
		return []string{why}, false
	}
	if m := reDefaultGrant.FindStringSubmatch(sql); m != nil {
		sql = m[1] // the grant that future objects will carry, read as one
		up = strings.ToUpper(sql)
	}
	grants, iam := appUserGrants(sql, user)
	return append(adminGrants(sql, up), grants...), iam
}

// dynamicSQL reports whether a statement is dynamic SQL, read no further, and what is wrong with it ("" for the one DO block allowed).
func dynamicSQL(sql, up, user string) (problem string, dynamic bool) {
	// Dynamic SQL hides what it grants from this reading: no EXECUTE,
	// and DO only in the one form that creates the user if it is absent.
	if slices.Contains(reWord.FindAllString(up, -1), "EXECUTE") {
		return fmt.Sprintf("runs dynamic SQL (EXECUTE), which cannot be checked: %q", sql), true
	}
	if strings.HasPrefix(strings.TrimSpace(up), "DO ") || strings.HasPrefix(strings.TrimSpace(up), "DO$") {
		if m := reCreateRole.FindStringSubmatch(sql); m == nil || m[1] != user || m[2] != user {
			return fmt.Sprintf("runs a DO block other than creating the user when it is absent: %q", sql), true
		}
		return "", true
	}
	return "", false
}

// adminGrants returns a statement's grants of an administrative role attribute or of ownership (up is the statement in upper case).
func adminGrants(sql, up string) []string {
	var problems []string
	if reRoleStatement.MatchString(sql) {
		words := reWord.FindAllString(up, -1)
		for _, a := range adminAttributes {
			if slices.Contains(words, a) {
				problems = append(problems, fmt.Sprintf("gives the user %s: %q", a, sql))
			}
		}
	}
	if strings.Contains(up, "OWNER TO") || strings.Contains(up, "AUTHORIZATION") {
		problems = append(problems, fmt.Sprintf("makes a user an owner: %q", sql))
	}
	return problems
}

// appUserGrants returns a GRANT's privileges to PUBLIC or to user beyond appUserRoles and appUserPrivileges, and whether it grants rds_iam to user.
func appUserGrants(sql, user string) (problems []string, iam bool) {
	m := reGrant.FindStringSubmatch(sql)
	if m == nil {
		return nil, false
	}
	grantees := strings.Fields(strings.ReplaceAll(m[3], ",", " "))
	if containsFold(grantees, "PUBLIC") {
		return []string{fmt.Sprintf("grants to PUBLIC: %q", sql)}, false
	}
	if !containsFold(grantees, user) {
		return nil, false
	}
	if passesOn(m[4]) {
		problems = append(problems, fmt.Sprintf("lets the application's user grant what it gets to others (WITH %s): %q", strings.TrimSpace(m[4]), sql))
	}
	for _, p := range strings.Split(m[1], ",") {
		p = strings.ToUpper(strings.TrimSpace(p))
		switch {
		case m[2] == "" && appUserRoles[strings.ToLower(p)]:
			iam = iam || p == "RDS_IAM"
		case m[2] != "" && appUserPrivileges[p]:
		default:
			problems = append(problems, fmt.Sprintf("grants %s to the application's user: %q", p, sql))
		}
	}
	return problems, iam
}

// passesOn reports whether a grant's WITH clause lets the grantee pass the
// grant on: GRANT OPTION, or ADMIN (OPTION, or TRUE) for a role.
func passesOn(with string) bool {
	words := reWord.FindAllString(strings.ToUpper(with), -1)
	for i, w := range words {
		next := func(k int) string {
			if i+k < len(words) {
				return words[i+k]
			}
			return ""
		}
		switch {
		case w == "GRANT" && next(1) == "OPTION":
			return true
		case w == "ADMIN" && next(1) != "FALSE" && !(next(1) == "OPTION" && next(2) == "FALSE"):
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.Trim(v, `"`), s) {
			return true
		}
	}
	return false
}

func refersToAny(v any, ids []string) bool {
	for _, id := range ids {
		if refersTo(v, id) {
			return true
		}
	}
	return false
}

// appUserFunctionSG is the security group of the function that serves the
// application's database user, or "".
func appUserFunctionSG(t *Template) string {
	for _, u := range t.Declared(IdentityAppDatabaseUser) {
		if fn, found := t.Resource(RefTargetOr(u.Properties()["ServiceToken"])); found {
			v, _ := fn.Get("VpcConfig", "SecurityGroupIds")
			for _, id := range refsIn(v) {
				return id
			}
		}
	}
	return ""
}

// inAppSubnets checks that a function (what, at path) runs in the VPC, in
// the App subnets only: subnets is its list of subnet IDs.
func inAppSubnets(t *Template, path, what string, subnets any) []Failure {
	ids := refsIn(subnets)
	if len(ids) == 0 {
		return []Failure{{path, what + " does not run in the VPC"}}
	}
	var fails []Failure
	for _, id := range ids {
		if sn, ok := t.Resource(id); !ok || subnetTier(sn) != SubnetApp {
			fails = append(fails, Failure{path, what + " runs in " + id + ", not an App subnet"})
		}
	}
	return fails
}
