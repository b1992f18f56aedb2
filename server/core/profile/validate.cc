// Placeholder until implemented.
namespace greengate::profile {}
