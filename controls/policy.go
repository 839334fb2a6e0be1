package controls

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
)

// Statement is one IAM policy statement, normalized: single values become
// lists, so checks need not care how CloudFormation spelled them.
type Statement struct {
	Sid       string
	Effect    string
	Actions   []string
	Resources []any
	// Principals maps a principal type ("AWS", "Service", "*") to its values.
	Principals map[string][]any
	// Conditions maps an operator to its key/value pairs.
	Conditions map[string]map[string]any
}

// Statements returns the statements of a policy document.
func Statements(doc any) []Statement {
	var out []Statement
	for _, r := range rawStatements(doc) {
		if m, _ := r.(map[string]any); m != nil {
			out = append(out, parseStatement(m))
		}
	}
	return out
}

// rawStatements returns a policy document's Statement as a list, whether it holds one statement or several.
func rawStatements(doc any) []any {
	d, _ := doc.(map[string]any)
	switch s := d["Statement"].(type) {
	case []any:
		return s
	case map[string]any:
		return []any{s}
	}
	return nil
}

// parseStatement normalizes one statement as CloudFormation spells it.
func parseStatement(m map[string]any) Statement {
	st := Statement{Principals: map[string][]any{}, Conditions: map[string]map[string]any{}}
	st.Sid, _ = m["Sid"].(string)
	st.Effect, _ = m["Effect"].(string)
	for _, a := range list(m["Action"]) {
		if s, ok := a.(string); ok {
			st.Actions = append(st.Actions, s)
		}
	}
	st.Resources = list(m["Resource"])
	// NotAction, NotResource and NotPrincipal grant (or deny) all but
	// what they list: read conservatively as everything, so that a
	// check enumerating actions, resources or principals sees "*".
	if _, ok := m["NotAction"]; ok {
		st.Actions = []string{"*"}
	}
	if _, ok := m["NotResource"]; ok {
		st.Resources = []any{"*"}
	}
	if _, ok := m["NotPrincipal"]; ok {
		m = withPrincipal(m, "*")
	}
	addPrincipals(st.Principals, m["Principal"])
	addConditions(st.Conditions, m["Condition"])
	return st
}

// addPrincipals adds a statement's Principal ("*", or a map from principal type to one value or several) to principals.
func addPrincipals(principals map[string][]any, p any) {
	switch p := p.(type) {
	case string:
		principals["*"] = []any{p}
	case map[string]any:
		for k, v := range p {
			principals[k] = list(v)
		}
	}
}

// addConditions adds each operator of a statement's Condition that holds a map of keys to conditions.
func addConditions(conditions map[string]map[string]any, c any) {
	if c, ok := c.(map[string]any); ok {
		for op, kv := range c {
			if kvm, ok := kv.(map[string]any); ok {
				conditions[op] = kvm
			}
		}
	}
}

// list returns v as a list: nil for nothing, a list as it is, any other value alone.
func list(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	default:
		return []any{v}
	}
}

// Allows reports whether the statement is an Allow.
func (s Statement) Allows() bool { return s.Effect == "Allow" }

// Condition returns the value of a condition key under an operator.
func (s Statement) Condition(op, key string) any { return s.Conditions[op][key] }

// ConditionEquals reports whether the condition holds exactly the one value.
func (s Statement) ConditionEquals(op, key, want string) bool {
	vs := list(s.Condition(op, key))
	if len(vs) != 1 {
		return false
	}
	got, _ := vs[0].(string)
	return got == want
}

// ConditionWithin reports whether the condition holds one or more values,
// each of them one of allowed.
func (s Statement) ConditionWithin(op, key string, allowed ...string) bool {
	vs := list(s.Condition(op, key))
	for _, v := range vs {
		got, _ := v.(string)
		if !slices.Contains(allowed, got) {
			return false
		}
	}
	return len(vs) > 0
}

// HasPrincipal reports whether the statement names the principal value of
// the given type (for example "Service", "cloudtrail.amazonaws.com").
func (s Statement) HasPrincipal(typ, value string) bool {
	for _, v := range s.Principals[typ] {
		if v == value {
			return true
		}
	}
	return false
}

// AnyPrincipal reports whether the statement applies to every principal.
func (s Statement) AnyPrincipal() bool {
	for _, v := range append(append([]any{}, s.Principals["*"]...), s.Principals["AWS"]...) {
		if v == "*" {
			return true
		}
	}
	return false
}

// GrantsAction reports whether one of the statement's actions (which may be
// wildcards such as "s3:*" or "s3:Delete*") covers action.
func (s Statement) GrantsAction(action string) bool {
	for _, a := range s.Actions {
		if ActionMatches(a, action) {
			return true
		}
	}
	return false
}

// ActionMatches reports whether an IAM action pattern covers action, case
// insensitively, as IAM compares them.
func ActionMatches(pattern, action string) bool {
	ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(action))
	return err == nil && ok
}

// Principal values in CDK templates are often intrinsics; PrincipalAccounts
// returns the accounts that AWS principals name, as far as they can be read:
// "arn:<partition>:iam::<account>:root" literals, Fn::Join parts, and plain
// account IDs. Unreadable values come back as "?".
func (s Statement) PrincipalAccounts() []string {
	var out []string
	for _, v := range s.Principals["AWS"] {
		out = append(out, accountOf(flatten(v)))
	}
	return out
}

// flatten renders a value with Fn::Join as the plain string it joins to,
// keeping other intrinsics as "{Ref}"-like markers.
func flatten(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		if j, ok := v["Fn::Join"].([]any); ok && len(j) == 2 {
			sep, _ := j[0].(string)
			var parts []string
			for _, p := range list(j[1]) {
				parts = append(parts, flatten(p))
			}
			return strings.Join(parts, sep)
		}
		if r, ok := v["Ref"].(string); ok {
			return "{" + r + "}"
		}
		if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
			return fmt.Sprintf("{%v.%v}", ga[0], ga[1])
		}
		// Any other intrinsic (such as the stack-unique suffix that
		// Fn::Select and Fn::Split cut from AWS::StackId) renders as itself,
		// so that two values built the same way flatten to the same text.
		if b, err := json.Marshal(v); err == nil {
			return "{" + string(b) + "}"
		}
	}
	return "{?}"
}

func accountOf(s string) string {
	if reAccountID.MatchString(s) {
		return s
	}
	// arn:partition:iam::account:...
	parts := strings.SplitN(s, ":", 6)
	if len(parts) >= 5 && strings.HasPrefix(s, "arn:") && reAccountID.MatchString(parts[4]) {
		return parts[4]
	}
	return "?"
}

// withPrincipal returns a copy of a raw statement whose Principal is p.
func withPrincipal(m map[string]any, p any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	c["Principal"] = p
	return c
}
