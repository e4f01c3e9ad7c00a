module example.com/e2e-sample-go

go 1.24
