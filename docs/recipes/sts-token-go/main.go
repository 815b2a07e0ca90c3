// X-RoleBroker-Identity token for a broker in `sts` mode, signed by aws-sdk-go-v2's v4.Signer.
//
//	go run . SERVER_ID [REGION [STS_ENDPOINT]]
//
// prints the header's value. Credentials come from the SDK's default chain (environment,
// ~/.aws, container or instance role), session credentials included. Nothing is sent to
// STS: the broker forwards the signed request.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
)

const body = "Action=GetCallerIdentity&Version=2011-06-15"

type token struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

func identityToken(ctx context.Context, serverID, region, endpoint string) (string, error) {
	if endpoint == "" {
		endpoint = "https://sts." + region + ".amazonaws.com"
	}
	url := strings.TrimRight(endpoint, "/") + "/"
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return "", err
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	// Signed in, so the token is worth nothing to a broker with another server id.
	req.Header.Set("X-RoleBroker-Server-Id", serverID)
	sum := sha256.Sum256([]byte(body))
	// Adds X-Amz-Date, X-Amz-Security-Token (session credentials) and Authorization.
	err = v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "sts", region, time.Now())
	if err != nil {
		return "", err
	}
	headers := map[string]string{}
	for name, values := range req.Header {
		headers[name] = values[0]
	}
	text, err := json.Marshal(token{Method: "POST", URL: url, Headers: headers, Body: body})
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(text), nil
}

func main() {
	if len(os.Args) < 2 || len(os.Args) > 4 {
		fmt.Fprintln(os.Stderr, "usage: go run . SERVER_ID [REGION [STS_ENDPOINT]]")
		os.Exit(2)
	}
	region, endpoint := "us-east-1", ""
	if len(os.Args) > 2 {
		region = os.Args[2]
	}
	if len(os.Args) > 3 {
		endpoint = os.Args[3]
	}
	t, err := identityToken(context.Background(), os.Args[1], region, endpoint)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sts-token:", err)
		os.Exit(1)
	}
	fmt.Println(t)
}
