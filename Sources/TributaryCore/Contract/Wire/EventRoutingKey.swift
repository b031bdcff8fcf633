/// How status events are routed on the events exchange: `experiment.<id>.<state>`. Every
/// key and every binding pattern of them is built here, so a subscriber and the publisher
/// can't drift apart.
public enum EventRoutingKey {
    /// The routing key of one event.
    public static func key(experimentID: String, state: ExperimentState) -> String {
        "experiment.\(experimentID).\(state.rawValue)"
    }

    /// A binding that matches the events of one experiment (or all), in one state (or any):
    /// `experiment.<id>.*`, `experiment.*.<state>`, `experiment.#`.
    public static func binding(experimentID: String? = nil, state: ExperimentState? = nil) -> String {
        switch (experimentID, state) {
        case (nil, nil): "experiment.#"
        case (let id?, nil): "experiment.\(id).*"
        case (nil, let state?): "experiment.*.\(state.rawValue)"
        case (let id?, let state?): key(experimentID: id, state: state)
        }
    }
}
