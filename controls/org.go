package controls

import (
	"fmt"
	"sort"
)

func orgControls() []Control {
	cs := []Control{
		{
			ID: "ORG-1", Title: "With permissionsBoundary set, every IAM role and user of every stack, custom-resource roles included, carries that permissions boundary",
			Construct: "stacks", Role: RoleAny,
			NotApplicable: func(f StackFacts) string {
				if f.Boundary == "" {
					return "permissionsBoundary is not set"
				}
				return ""
			},
			Check: func(t *Template, f StackFacts) []Failure {
				var fails []Failure
				for _, typ := range []string{"AWS::IAM::Role", "AWS::IAM::User"} {
					for _, r := range t.Resources(typ) {
						v, ok := r.Get("PermissionsBoundary")
						if got := flatten(v); !ok || got != f.Boundary {
							fails = append(fails, Failure{r.Path(), fmt.Sprintf("its permissions boundary is %v, not %s", orNone(v), f.Boundary)})
						}
					}
				}
				return fails
			},
		},
		{
			ID: "ORG-2", Title: "Every taggable resource carries the tags project=<appName>, profile=<profile> and those configured in tags",
			Construct: "stacks", Role: RoleAny,
			Check: func(t *Template, f StackFacts) []Failure {
				var fails []Failure
				keys := make([]string, 0, len(f.Tags))
				for k := range f.Tags {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				tagged := 0
				for _, r := range t.all() {
					v, ok := r.Get("Tags")
					if !ok {
						continue
					}
					tagged++
					have := tagsOf(v)
					for _, k := range keys {
						if got, ok := have[k]; !ok || got != f.Tags[k] {
							fails = append(fails, Failure{r.Path(), fmt.Sprintf("lacks the tag %s=%s", k, f.Tags[k])})
						}
					}
				}
				if tagged == 0 && len(keys) > 0 {
					fails = append(fails, Failure{"", "no resource carries any tag"})
				}
				return fails
			},
		},
	}
	for i := range cs {
		cs[i].Seed, cs[i].Responsibility = SeedApp, Customer
	}
	return cs
}

// tagsOf reads a Tags property in either of CloudFormation's forms: a list
// of {Key, Value} (PropagateAtLaunch too, for Auto Scaling groups) or a map.
func tagsOf(v any) map[string]string {
	out := map[string]string{}
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			out[k] = flatten(x)
		}
		return out
	}
	for _, e := range list(v) {
		k, _ := dig(e, "Key")
		x, _ := dig(e, "Value")
		out[flatten(k)] = flatten(x)
	}
	return out
}
