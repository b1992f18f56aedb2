// Placeholder until implemented.
namespace greengate::policy {}
