/// core/v1 container types.
public enum ContainerSchemas {
    static let localObjectReference: Schema = .obj(core("LocalObjectReference"), "A reference to an object in the same namespace.", [
        f("name", .str, "Name of the referent."),
    ])

    static let objectFieldSelector: Schema = .obj(core("ObjectFieldSelector"), "Selects a field of the pod.", [
        f("apiVersion", .str, "Schema version of fieldPath; defaults to v1."),
        f("fieldPath", .str, "Path of the field to select.", required: true),
    ])

    static let resourceFieldSelector: Schema = .obj(core("ResourceFieldSelector"), "Selects a container resource (limits.cpu, requests.memory, …).", [
        f("containerName", .str, "Container name; required for volumes."),
        f("resource", .str, "Resource to select.", required: true),
        f("divisor", .quantity, "Output format of the exposed resource; defaults to 1."),
    ])

    static let configMapKeySelector: Schema = .obj(core("ConfigMapKeySelector"), "Selects a key of a ConfigMap.", [
        f("name", .str, "Name of the ConfigMap."),
        f("key", .str, "The key to select.", required: true),
        f("optional", .bool, "Whether the ConfigMap or its key may be missing."),
    ])

    static let secretKeySelector: Schema = .obj(core("SecretKeySelector"), "Selects a key of a Secret.", [
        f("name", .str, "Name of the Secret."),
        f("key", .str, "The key to select.", required: true),
        f("optional", .bool, "Whether the Secret or its key may be missing."),
    ])

    static let envVarSource: Schema = .obj(core("EnvVarSource"), "Source of an environment variable's value.", [
        f("fieldRef", objectFieldSelector, "A field of the pod."),
        f("resourceFieldRef", resourceFieldSelector, "A resource of the container."),
        f("configMapKeyRef", configMapKeySelector, "A key of a ConfigMap."),
        f("secretKeyRef", secretKeySelector, "A key of a Secret."),
        f("fileKeyRef", .any, "A key of an env file in a volume (alpha)."),
    ])

    static let envVar: Schema = .obj(core("EnvVar"), "An environment variable of a container.", [
        f("name", .str, "Name of the variable.", required: true),
        f("value", .str, "Value; $(VAR) references are expanded."),
        f("valueFrom", envVarSource, "Source of the value; cannot be used if value is set."),
    ])

    static let configMapEnvSource: Schema = .obj(core("ConfigMapEnvSource"), "All keys of a ConfigMap as environment variables.", [
        f("name", .str), f("optional", .bool),
    ])

    static let secretEnvSource: Schema = .obj(core("SecretEnvSource"), "All keys of a Secret as environment variables.", [
        f("name", .str), f("optional", .bool),
    ])

    static let envFromSource: Schema = .obj(core("EnvFromSource"), "A source of a set of environment variables.", [
        f("prefix", .str, "Prefix for every key."),
        f("configMapRef", configMapEnvSource, "The ConfigMap to select from."),
        f("secretRef", secretEnvSource, "The Secret to select from."),
    ])

    static let containerPort: Schema = .obj(core("ContainerPort"), "A network port of a container.", [
        f("name", .str, "IANA_SVC_NAME, unique within the pod."),
        f("hostPort", .int32, "Port to expose on the host."),
        f("containerPort", .int32, "Port to expose on the pod's IP (1-65535).", required: true),
        f("protocol", .str, "UDP, TCP or SCTP; defaults to TCP."),
        f("hostIP", .str, "Host IP to bind the external port to."),
    ])

    static let resourceClaim: Schema = .obj(core("ResourceClaim"), "A reference to a pod resource claim.", [
        f("name", .str, required: true), f("request", .str),
    ])

    public static let resourceRequirements: Schema = .obj(core("ResourceRequirements"), "Compute resource requirements.", [
        f("limits", .quantityMap, "Maximum compute resources allowed."),
        f("requests", .quantityMap, "Minimum compute resources required; default to limits."),
        mergeList("claims", resourceClaim, key: "name", "Dynamic resource claims used by the container."),
    ])

    static let volumeMount: Schema = .obj(core("VolumeMount"), "Mounting of a volume within a container.", [
        f("name", .str, "Name of the volume.", required: true),
        f("readOnly", .bool, "Mount read-only."),
        f("recursiveReadOnly", .str, "Disabled, IfPossible or Enabled."),
        f("mountPath", .str, "Path within the container; must not contain ':'.", required: true),
        f("subPath", .str, "Path within the volume to mount."),
        f("mountPropagation", .str, "None, HostToContainer or Bidirectional."),
        f("subPathExpr", .str, "Like subPath with $(VAR) expansion."),
    ])

    static let volumeDevice: Schema = .obj(core("VolumeDevice"), "A raw block device within a container.", [
        f("name", .str, required: true), f("devicePath", .str, required: true),
    ])

    static let execAction: Schema = .obj(core("ExecAction"), "Run a command in the container.", [
        f("command", .strings, "Command line; not run in a shell."),
    ])

    static let httpHeader: Schema = .obj(core("HTTPHeader"), "A custom HTTP header.", [
        f("name", .str, required: true), f("value", .str, required: true),
    ])

    static let httpGetAction: Schema = .obj(core("HTTPGetAction"), "An HTTP GET request.", [
        f("path", .str, "Path to access."),
        f("port", .intOrString, "Port number or name.", required: true),
        f("host", .str, "Host name; defaults to the pod IP."),
        f("scheme", .str, "HTTP or HTTPS; defaults to HTTP."),
        f("httpHeaders", .list(httpHeader), "Custom headers."),
    ])

    static let tcpSocketAction: Schema = .obj(core("TCPSocketAction"), "Open a TCP connection.", [
        f("port", .intOrString, "Port number or name.", required: true),
        f("host", .str, "Host name; defaults to the pod IP."),
    ])

    static let grpcAction: Schema = .obj(core("GRPCAction"), "A gRPC health check.", [
        f("port", .int32, "Port number.", required: true),
        f("service", .str, "Service name for the gRPC health protocol."),
    ])

    static let sleepAction: Schema = .obj(core("SleepAction"), "Sleep for a duration.", [
        f("seconds", .int64, "Seconds to sleep.", required: true),
    ])

    public static let probe: Schema = .obj(core("Probe"), "A health check performed against a container.", [
        f("exec", execAction, "Run a command."),
        f("httpGet", httpGetAction, "Send an HTTP GET."),
        f("tcpSocket", tcpSocketAction, "Open a TCP connection."),
        f("grpc", grpcAction, "Call the gRPC health service."),
        f("initialDelaySeconds", .int32, "Seconds after start before the first probe."),
        f("timeoutSeconds", .int32, "Seconds before a probe times out; default 1."),
        f("periodSeconds", .int32, "How often to probe; default 10."),
        f("successThreshold", .int32, "Consecutive successes to count as success; default 1."),
        f("failureThreshold", .int32, "Consecutive failures to count as failure; default 3."),
        f("terminationGracePeriodSeconds", .int64, "Grace period when the probe fails."),
    ])

    static let lifecycleHandler: Schema = .obj(core("LifecycleHandler"), "An action taken at a lifecycle hook.", [
        f("exec", execAction), f("httpGet", httpGetAction), f("tcpSocket", tcpSocketAction), f("sleep", sleepAction),
    ])

    static let lifecycle: Schema = .obj(core("Lifecycle"), "Actions taken in response to container lifecycle events.", [
        f("postStart", lifecycleHandler, "Called right after the container is created."),
        f("preStop", lifecycleHandler, "Called before the container is terminated."),
        f("stopSignal", .str, "Signal used to stop the container."),
    ])

    static let capabilities: Schema = .obj(core("Capabilities"), "POSIX capabilities to add or drop.", [
        f("add", .strings), f("drop", .strings),
    ])

    static let seLinuxOptions: Schema = .obj(core("SELinuxOptions"), "SELinux labels.", [
        f("user", .str), f("role", .str), f("type", .str), f("level", .str),
    ])

    static let windowsOptions: Schema = .obj(core("WindowsSecurityContextOptions"), "Windows-specific options.", [
        f("gmsaCredentialSpecName", .str), f("gmsaCredentialSpec", .str), f("runAsUserName", .str), f("hostProcess", .bool),
    ])

    static let seccompProfile: Schema = .obj(core("SeccompProfile"), "A seccomp profile.", [
        f("type", .str, "RuntimeDefault, Unconfined or Localhost.", required: true),
        f("localhostProfile", .str, "Profile file on the node, for Localhost."),
    ])

    static let appArmorProfile: Schema = .obj(core("AppArmorProfile"), "An AppArmor profile.", [
        f("type", .str, "RuntimeDefault, Unconfined or Localhost.", required: true),
        f("localhostProfile", .str),
    ])

    public static let securityContext: Schema = .obj(core("SecurityContext"), "Security options of a container.", [
        f("capabilities", capabilities, "Capabilities to add or drop."),
        f("privileged", .bool, "Run in privileged mode."),
        f("seLinuxOptions", seLinuxOptions),
        f("windowsOptions", windowsOptions),
        f("runAsUser", .int64, "UID to run the entrypoint as."),
        f("runAsGroup", .int64, "GID to run the entrypoint as."),
        f("runAsNonRoot", .bool, "Refuse to start if the image runs as root."),
        f("readOnlyRootFilesystem", .bool, "Mount the root filesystem read-only."),
        f("allowPrivilegeEscalation", .bool, "Whether a process may gain more privileges than its parent."),
        f("procMount", .str, "Default or Unmasked."),
        f("seccompProfile", seccompProfile),
        f("appArmorProfile", appArmorProfile),
    ])

    static let containerResizePolicy: Schema = .obj(core("ContainerResizePolicy"), "How a resource is resized.", [
        f("resourceName", .str, required: true), f("restartPolicy", .str, required: true),
    ])

    /// The fields shared by containers, init containers and ephemeral containers.
    static let containerFields: [Field] = [
        f("name", .str, "Name of the container, a DNS label unique within the pod.", required: true),
        f("image", .str, "Container image name."),
        f("command", .strings, "Entrypoint array; the image's ENTRYPOINT if empty."),
        f("args", .strings, "Arguments to the entrypoint; the image's CMD if empty."),
        f("workingDir", .str, "Working directory."),
        mergeList("ports", containerPort, key: "containerPort", "Ports to expose from the container.", mapKeys: ["containerPort", "protocol"]),
        f("envFrom", .list(envFromSource), "Sources of environment variables."),
        mergeList("env", envVar, key: "name", "Environment variables."),
        f("resources", resourceRequirements, "Compute resources required by this container."),
        f("resizePolicy", .list(containerResizePolicy), "Resize policy per resource."),
        f("restartPolicy", .str, "Always, for sidecar init containers."),
        f("restartPolicyRules", .any, "Per-exit-code restart rules (alpha)."),
        mergeList("volumeMounts", volumeMount, key: "mountPath", "Volumes to mount into the filesystem."),
        mergeList("volumeDevices", volumeDevice, key: "devicePath", "Block devices to use."),
        f("livenessProbe", probe, "Restart the container when this fails."),
        f("readinessProbe", probe, "Remove from service endpoints when this fails."),
        f("startupProbe", probe, "Other probes wait until this succeeds."),
        f("lifecycle", lifecycle, "Actions on lifecycle events."),
        f("terminationMessagePath", .str, "File for the termination message; default /dev/termination-log."),
        f("terminationMessagePolicy", .str, "File or FallbackToLogsOnError."),
        f("imagePullPolicy", .str, "Always, Never or IfNotPresent."),
        f("securityContext", securityContext, "Security options."),
        f("stdin", .bool, "Allocate a buffer for stdin."),
        f("stdinOnce", .bool, "Close stdin after the first attach ends."),
        f("tty", .bool, "Allocate a TTY."),
    ]

    public static let container: Schema = .obj(core("Container"), "A single application container to run within a pod.", containerFields)

    public static let ephemeralContainer: Schema = .obj(core("EphemeralContainer"), "A temporary container added to a running pod for debugging.",
        containerFields + [f("targetContainerName", .str, "Container whose namespaces to share.")])
}
