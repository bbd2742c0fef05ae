/// apps/v1 and batch/v1 workload kinds.
public enum WorkloadSchemas {
    static func workloadCondition(_ name: String, lastUpdate: Bool = false) -> Schema {
        .obj(name, "A condition of the workload.", [
            f("type", .str, required: true), f("status", .str, required: true),
        ] + (lastUpdate ? [f("lastUpdateTime", .dateTime)] : []) + [
            f("lastTransitionTime", .dateTime), f("reason", .str), f("message", .str),
        ])
    }

    static let template = f("template", PodSchemas.podTemplateSpec, "Pods created from this template.", required: true)
    static let selector = f("selector", MetaSchemas.labelSelector, "Label query over the pods; must match the template labels.", required: true)

    // MARK: Deployment

    public static let deploymentSpec: Schema = .obj(apps("DeploymentSpec"), "Desired state of a deployment.", [
        f("replicas", .int32, "Desired number of pods; default 1."),
        selector, template,
        f("strategy", .obj(apps("DeploymentStrategy"), "How to replace existing pods with new ones.", [
            f("type", .str, "Recreate or RollingUpdate (default)."),
            f("rollingUpdate", .obj(apps("RollingUpdateDeployment"), "Rolling update parameters.", [
                f("maxUnavailable", .intOrString, "Pods that may be unavailable during the update; default 25%."),
                f("maxSurge", .intOrString, "Pods that may be created above replicas; default 25%."),
            ])),
        ]), "Deployment strategy.", strategy: .retainKeys),
        f("minReadySeconds", .int32),
        f("revisionHistoryLimit", .int32, "Old ReplicaSets to keep; default 10."),
        f("paused", .bool),
        f("progressDeadlineSeconds", .int32, "Seconds before progress is reported as failed; default 600."),
    ])

    public static let deployment: Schema = .obj(apps("Deployment"), "Declarative updates for pods and replica sets.", kindFields() + [
        f("spec", deploymentSpec, "Desired behaviour of the deployment."),
        f("status", .obj(apps("DeploymentStatus"), "Most recently observed status.", [
            f("observedGeneration", .int64), f("replicas", .int32), f("updatedReplicas", .int32), f("readyReplicas", .int32),
            f("availableReplicas", .int32), f("unavailableReplicas", .int32), f("terminatingReplicas", .int32),
            mergeList("conditions", workloadCondition(apps("DeploymentCondition"), lastUpdate: true), key: "type"),
            f("collisionCount", .int32),
        ])),
    ])

    // MARK: ReplicaSet

    public static let replicaSet: Schema = .obj(apps("ReplicaSet"), "Ensures a number of pod replicas are running.", kindFields() + [
        f("spec", .obj(apps("ReplicaSetSpec"), "Desired state of a replica set.", [
            f("replicas", .int32, "Desired number of pods; default 1."),
            f("minReadySeconds", .int32),
            selector,
            f("template", PodSchemas.podTemplateSpec, "Pods created from this template."),
        ])),
        f("status", .obj(apps("ReplicaSetStatus"), "Most recently observed status.", [
            f("replicas", .int32, required: true), f("fullyLabeledReplicas", .int32), f("readyReplicas", .int32),
            f("availableReplicas", .int32), f("terminatingReplicas", .int32), f("observedGeneration", .int64),
            mergeList("conditions", workloadCondition(apps("ReplicaSetCondition")), key: "type"),
        ])),
    ])

    // MARK: StatefulSet

    public static let statefulSet: Schema = .obj(apps("StatefulSet"), "Pods with stable identities and storage.", kindFields() + [
        f("spec", .obj(apps("StatefulSetSpec"), "Desired state of a stateful set.", [
            f("replicas", .int32, "Desired number of pods; default 1."),
            selector, template,
            f("volumeClaimTemplates", .list(CoreSchemas.persistentVolumeClaim), "Claims created for each pod."),
            f("serviceName", .str, "Governing headless service."),
            f("podManagementPolicy", .str, "OrderedReady (default) or Parallel."),
            f("updateStrategy", .obj(apps("StatefulSetUpdateStrategy"), "How pods are updated.", [
                f("type", .str, "RollingUpdate (default) or OnDelete."),
                f("rollingUpdate", .obj(apps("RollingUpdateStatefulSetStrategy"), "Rolling update parameters.", [
                    f("partition", .int32), f("maxUnavailable", .intOrString),
                ])),
            ])),
            f("revisionHistoryLimit", .int32),
            f("minReadySeconds", .int32),
            f("persistentVolumeClaimRetentionPolicy", .obj(apps("StatefulSetPersistentVolumeClaimRetentionPolicy"), "What happens to claims.", [
                f("whenDeleted", .str, "Retain or Delete."), f("whenScaled", .str, "Retain or Delete."),
            ])),
            f("ordinals", .obj(apps("StatefulSetOrdinals"), "Ordinal numbering.", [f("start", .int32)])),
        ])),
        f("status", .obj(apps("StatefulSetStatus"), "Most recently observed status.", [
            f("observedGeneration", .int64), f("replicas", .int32, required: true), f("readyReplicas", .int32),
            f("currentReplicas", .int32), f("updatedReplicas", .int32), f("currentRevision", .str), f("updateRevision", .str),
            f("collisionCount", .int32),
            mergeList("conditions", workloadCondition(apps("StatefulSetCondition")), key: "type"),
            f("availableReplicas", .int32),
        ])),
    ])

    // MARK: DaemonSet

    public static let daemonSet: Schema = .obj(apps("DaemonSet"), "Runs a copy of a pod on each node.", kindFields() + [
        f("spec", .obj(apps("DaemonSetSpec"), "Desired state of a daemon set.", [
            selector, template,
            f("updateStrategy", .obj(apps("DaemonSetUpdateStrategy"), "How pods are updated.", [
                f("type", .str, "RollingUpdate (default) or OnDelete."),
                f("rollingUpdate", .obj(apps("RollingUpdateDaemonSet"), "Rolling update parameters.", [
                    f("maxUnavailable", .intOrString), f("maxSurge", .intOrString),
                ])),
            ])),
            f("minReadySeconds", .int32),
            f("revisionHistoryLimit", .int32),
        ])),
        f("status", .obj(apps("DaemonSetStatus"), "Most recently observed status.", [
            f("currentNumberScheduled", .int32, required: true), f("numberMisscheduled", .int32, required: true),
            f("desiredNumberScheduled", .int32, required: true), f("numberReady", .int32, required: true),
            f("observedGeneration", .int64), f("updatedNumberScheduled", .int32), f("numberAvailable", .int32),
            f("numberUnavailable", .int32), f("collisionCount", .int32),
            mergeList("conditions", workloadCondition(apps("DaemonSetCondition")), key: "type"),
        ])),
    ])

    // MARK: Job

    public static let jobSpec: Schema = .obj(batch("JobSpec"), "Desired state of a job.", [
        f("parallelism", .int32, "Pods running at once; default 1."),
        f("completions", .int32, "Successful pods needed; default 1."),
        f("activeDeadlineSeconds", .int64),
        f("podFailurePolicy", .any, "How pod failures count (not validated)."),
        f("successPolicy", .any, "When an indexed job succeeds (not validated)."),
        f("backoffLimit", .int32, "Retries before failing; default 6."),
        f("backoffLimitPerIndex", .int32), f("maxFailedIndexes", .int32),
        f("selector", MetaSchemas.labelSelector, "Generated unless manualSelector is set."),
        f("manualSelector", .bool),
        template,
        f("ttlSecondsAfterFinished", .int32),
        f("completionMode", .str, "NonIndexed (default) or Indexed."),
        f("suspend", .bool),
        f("podReplacementPolicy", .str),
        f("managedBy", .str),
    ])

    public static let job: Schema = .obj(batch("Job"), "A single job: pods run to completion.", kindFields() + [
        f("spec", jobSpec),
        f("status", .obj(batch("JobStatus"), "Observed state of a job.", [
            mergeList("conditions", .obj(batch("JobCondition"), "A job condition.", [
                f("type", .str, required: true), f("status", .str, required: true), f("lastProbeTime", .dateTime),
                f("lastTransitionTime", .dateTime), f("reason", .str), f("message", .str),
            ]), key: "type"),
            f("startTime", .dateTime), f("completionTime", .dateTime),
            f("active", .int32), f("succeeded", .int32), f("failed", .int32), f("terminating", .int32),
            f("completedIndexes", .str), f("failedIndexes", .str),
            f("uncountedTerminatedPods", .obj(batch("UncountedTerminatedPods"), "Finished pods not yet counted.", [
                f("succeeded", .strings), f("failed", .strings),
            ])),
            f("ready", .int32),
        ])),
    ])

    public static let cronJob: Schema = .obj(batch("CronJob"), "Runs a job on a schedule.", kindFields() + [
        f("spec", .obj(batch("CronJobSpec"), "Desired state of a cron job.", [
            f("schedule", .str, "Cron format schedule.", required: true),
            f("timeZone", .str),
            f("startingDeadlineSeconds", .int64),
            f("concurrencyPolicy", .str, "Allow (default), Forbid or Replace."),
            f("suspend", .bool),
            f("jobTemplate", .obj(batch("JobTemplateSpec"), "The job to create.", [
                f("metadata", MetaSchemas.objectMeta), f("spec", jobSpec),
            ]), required: true),
            f("successfulJobsHistoryLimit", .int32, "Default 3."),
            f("failedJobsHistoryLimit", .int32, "Default 1."),
        ])),
        f("status", .obj(batch("CronJobStatus"), "Observed state of a cron job.", [
            f("active", .list(ObjectReference.schema)),
            f("lastScheduleTime", .dateTime), f("lastSuccessfulTime", .dateTime),
        ])),
    ])
}
