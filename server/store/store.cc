// Placeholder until implemented.
namespace greengate::store {}
