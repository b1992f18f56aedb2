// Placeholder until implemented.
namespace greengate::energy {}
