// This go.mod only keeps the Go code some npm packages ship in node_modules (flatted)
// out of the doorstep module, so ./... in go vet, staticcheck and make test skips it.
module doorstep/tools/lint-web
