module github.com/rbmkit/rbm

go 1.26.8

require (
	github.com/spf13/pflag v1.0.10 // indirect
	gonum.org/v1/gonum v0.17.0 // indirect
)
