// Placeholder until implemented.
namespace greengate::gain {}
