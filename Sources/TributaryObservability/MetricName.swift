/// The metric names: part of the contract, each documented with its labels in Docs/operations.md.
public enum MetricName {
    public static let tasksPublished = "tributary_tasks_published_total"
    public static let taskResults = "tributary_task_results_total"
    public static let taskRetries = "tributary_task_retries_total"
    public static let duplicatesIgnored = "tributary_duplicates_ignored_total"
    public static let deadLetters = "tributary_dead_letters_total"
    public static let outboxPending = "tributary_outbox_pending"
    public static let experiments = "tributary_experiments"
    public static let fanIn = "tributary_fan_in_seconds"
    public static let taskDuration = "tributary_task_duration_seconds"
    public static let agentInFlight = "tributary_agent_in_flight"
    public static let amqpReconnects = "tributary_amqp_reconnects_total"
    /// Calls to a language model counted in experiments' ledgers, by `model` and `outcome`
    /// (`ok`: of a counted result; `failed`: of a failed attempt; `rate_limited`: refused).
    public static let llmRequests = "tributary_llm_requests_total"
    /// Their tokens, by `model` and `direction` (`input`, `output`).
    public static let llmTokens = "tributary_llm_tokens_total"
    /// Their cost at the model table's prices, by `model`.
    public static let llmCost = "tributary_llm_cost_total"
    /// Seconds that Retry-After holds added to a model's dispatch, by `model`.
    public static let rateLimitWait = "tributary_rate_limit_wait_seconds_total"
}
