// A stdlib-only HTTP server; `-healthcheck` probes it (distroless has no curl).
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
)

func greeting(name string) string {
	return "hello from go, " + name
}

func main() {
	health := flag.Bool("healthcheck", false, "probe the running server and exit")
	flag.Parse()
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	if *health {
		resp, err := http.Get("http://127.0.0.1:" + port + "/healthz")
		if err != nil || resp.StatusCode != http.StatusOK {
			os.Exit(1)
		}
		os.Exit(0)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, greeting("world"))
	})
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	log.Printf("listening on %s", port)
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
