package controls

// statefulTypes are the resource types whose loss would lose data or the
// ability to read it. Each must survive `cdk destroy` and a replacement.
// The database is stateful too; DB-3 requires it to leave a snapshot instead.
var statefulTypes = []string{"AWS::S3::Bucket", "AWS::KMS::Key", "AWS::Logs::LogGroup", "AWS::SecretsManager::Secret"}

func generalControls() []Control {
	return []Control{
		{
			ID: "KMS-1", Title: "Every customer-managed KMS key rotates its key material automatically",
			Seed: SeedData, Responsibility: Customer, Construct: "constructs/*", Role: RoleAny,
			Frameworks: []string{"FSBP KMS.4", "CIS 3.6"},
			Check: func(t *Template, f StackFacts) []Failure {
				var fails []Failure
				for _, k := range t.Resources("AWS::KMS::Key") {
					if !k.Bool("EnableKeyRotation") {
						fails = append(fails, Failure{k.Path(), "EnableKeyRotation is not true"})
					}
				}
				return fails
			},
		},
		{
			ID: "KMS-2", Title: "Every customer-managed KMS key's policy denies kms:CreateGrant unless the grant is for an AWS resource or the caller is an AWS service",
			Seed: SeedData, Responsibility: Customer, Construct: "constructs/keys", Role: RoleAny,
			Frameworks: []string{"CT.KMS.PR.3"},
			Check: func(t *Template, f StackFacts) []Failure {
				var fails []Failure
				for _, k := range t.Resources("AWS::KMS::Key") {
					ok := false
					for _, s := range Statements(k.Properties()["KeyPolicy"]) {
						if s.Effect == "Deny" && s.AnyPrincipal() && s.GrantsAction("kms:CreateGrant") &&
							s.ConditionEquals("BoolIfExists", "kms:GrantIsForAWSResource", "false") &&
							s.ConditionEquals("BoolIfExists", "aws:PrincipalIsAWSService", "false") {
							ok = true
						}
					}
					if !ok {
						fails = append(fails, Failure{k.Path(), "its policy does not deny kms:CreateGrant for grants that are not for AWS resources"})
					}
				}
				return fails
			},
		},
		{
			ID: "RET-1", Title: "Buckets, keys, log groups and secrets are retained when their stack is deleted or they are replaced (the database leaves a snapshot: DB-3)",
			Seed: SeedData, Responsibility: Customer, Construct: "constructs/*", Role: RoleAny,
			Check: func(t *Template, f StackFacts) []Failure {
				var fails []Failure
				for _, typ := range statefulTypes {
					for _, r := range t.Resources(typ) {
						if p := r.Attribute("DeletionPolicy"); p != "Retain" && p != "RetainExceptOnCreate" {
							fails = append(fails, Failure{r.Path(), "DeletionPolicy is " + orNone(p).(string) + ", not RetainExceptOnCreate (or Retain)"})
						}
						if p := r.Attribute("UpdateReplacePolicy"); p != "Retain" {
							fails = append(fails, Failure{r.Path(), "UpdateReplacePolicy is " + orNone(p).(string) + ", not Retain"})
						}
					}
				}
				return fails
			},
		},
	}
}
