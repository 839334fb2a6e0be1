package config

import (
	"fmt"
	"io"
	"strings"
)

// WriteReference writes the configuration reference (a Markdown table of
// every key) that README.md embeds.
func WriteReference(w io.Writer) error {
	fmt.Fprintln(w, "| Key | Type | Default (sandbox) | Default (production) | Allowed | What it does |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, k := range Keys() {
		fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s | %s |\n", k.Name, k.Type, show(k.Default(Sandbox)), show(k.Default(Production)), k.Allowed, k.Doc)
	}
	return nil
}

func show(v any) string {
	if d, ok := v.(derived); ok {
		return d.text
	}
	if s, ok := v.(string); ok {
		if s == "" {
			return "(empty)"
		}
		return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
	}
	return fmt.Sprintf("`%v`", v)
}
