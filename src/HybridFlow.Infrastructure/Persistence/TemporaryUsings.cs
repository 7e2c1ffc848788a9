// Temporary, until the i20-replyjobs branch is merged: the files it moves into their owner folders (ChatStore,
// ReplyJobStore, SendLedger, SharedChat*, SqlMapping) still sit in the old flat namespace and reach the owner
// folders through these. The lead deletes this file at the merge.
global using HybridFlow.Infrastructure.Persistence.Instances;
global using HybridFlow.Infrastructure.Persistence.Postgres;
global using HybridFlow.Infrastructure.Persistence.Tenants;
global using HybridFlow.Infrastructure.Persistence.LlmUsage;
