// VigilDeploy: revisions, the persisted rollout state machine, analysis, and the routers
// (builtin SwiftNIO proxy, nginx).
