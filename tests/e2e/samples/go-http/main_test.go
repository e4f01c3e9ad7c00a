package main

import "testing"

func TestGreeting(t *testing.T) {
	if got := greeting("world"); got != "hello from go, world" {
		t.Fatalf("greeting = %q", got)
	}
}
