package gorgonnx

// ExampleOperator implementation of an operator
func ExampleOperator() {
}
