/// The metric names: part of the contract, each documented with its labels in Docs/operations.md.
package enum MetricName {
    package static let tasksPublished = "tributary_tasks_published_total"
    package static let taskResults = "tributary_task_results_total"
    package static let taskRetries = "tributary_task_retries_total"
    package static let duplicatesIgnored = "tributary_duplicates_ignored_total"
    package static let deadLetters = "tributary_dead_letters_total"
    package static let outboxPending = "tributary_outbox_pending"
    package static let experiments = "tributary_experiments"
    package static let fanIn = "tributary_fan_in_seconds"
    package static let taskDuration = "tributary_task_duration_seconds"
    package static let agentInFlight = "tributary_agent_in_flight"
    package static let amqpReconnects = "tributary_amqp_reconnects_total"
}
