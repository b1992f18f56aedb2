// Placeholder until implemented.
namespace greengate::drift {}
