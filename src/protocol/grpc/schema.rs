//! What a gRPC client knows of the services and messages: a descriptor pool (prost-reflect)
//! filled from the built-in files, `.proto` sources compiled in-process (protox: no `protoc`),
//! FileDescriptorSets, or a server's reflection. Method names are resolved here in every form
//! people type them (`Service/Method`, `pkg.Service/Method`, `pkg.Service.Method`,
//! `/pkg.Service/Method`, a bare `Method` when it is unique), with the nearest names offered for
//! one that is not there.

use prost::Message;
use prost_reflect::{DescriptorPool, FileDescriptor, MethodDescriptor, ServiceDescriptor};
use prost_types::{FileDescriptorProto, FileDescriptorSet};
use protox::file::{
    ChainFileResolver, File, FileResolver, GoogleFileResolver, IncludeFileResolver,
};
use std::path::{Path, PathBuf};

/// `google.rpc.Status` and its standard error details, built in.
const RPC_STATUS: &str = include_str!("proto/google/rpc/status.proto");
const RPC_ERROR_DETAILS: &str = include_str!("proto/google/rpc/error_details.proto");

/// The files compiled into the built-in schema: the well-known types and google.rpc's.
const BUILTIN_FILES: &[&str] = &[
    "google/protobuf/any.proto",
    "google/protobuf/api.proto",
    "google/protobuf/duration.proto",
    "google/protobuf/empty.proto",
    "google/protobuf/field_mask.proto",
    "google/protobuf/source_context.proto",
    "google/protobuf/struct.proto",
    "google/protobuf/timestamp.proto",
    "google/protobuf/type.proto",
    "google/protobuf/wrappers.proto",
    "google/rpc/status.proto",
    "google/rpc/error_details.proto",
];

/// The services, methods and messages known, with where they came from.
///
/// The pool holds what the server (or `--schema`) describes; `rpc`'s built-in files fill only
/// what it does not: an import it names but does not give, a well-known type, a service or type
/// asked for that it does not describe. A symbol the pool already holds under another file name
/// (grpcio's `grpc_health/v1/health.proto` beside tonic's `health.proto`) is taken from the file
/// that came first, never defined twice.
#[derive(Debug, Clone)]
pub struct Schema {
    pool: DescriptorPool,
    /// The services the server offers (its reflection's list, or those of `--schema` files), as
    /// opposed to those merely known (the built-in ones).
    offered: Vec<String>,
    /// Offered services whose description could not be had, with why, reported where they are
    /// used.
    broken: Vec<(String, String)>,
}

impl Schema {
    /// The built-in schema, known without any file: the well-known types, `grpc.health.v1`,
    /// `grpc.reflection.v1` and `v1alpha`, `google.rpc.Status` and its error details.
    pub fn builtin() -> Result<Schema, String> {
        // Compiled once per process: a pool clone shares its descriptors.
        static BUILTIN: std::sync::OnceLock<Result<Schema, String>> = std::sync::OnceLock::new();
        BUILTIN.get_or_init(Schema::compile_builtin).clone()
    }

    /// A schema to fill from a server or files: the well-known types (`google.protobuf.*`) only.
    /// (Should the built-in files not compile, which a unit test rules out, an empty schema.)
    pub fn new() -> Schema {
        Schema::default()
    }
}

impl Default for Schema {
    /// See [`Schema::new`].
    fn default() -> Schema {
        let mut schema = Schema::empty();
        let Ok(builtin) = Schema::builtin() else {
            return schema;
        };
        let well_known: Vec<FileDescriptorProto> = builtin
            .pool
            .files()
            .filter(|file| file.package_name() == "google.protobuf")
            .map(|file| file.file_descriptor_proto().clone())
            .collect();
        // The built-in files hold together (a unit test says so), so these add.
        let _ = schema.add_files(well_known);
        schema
    }
}

impl Schema {
    fn empty() -> Schema {
        Schema {
            pool: DescriptorPool::new(),
            offered: Vec::new(),
            broken: Vec::new(),
        }
    }

    fn compile_builtin() -> Result<Schema, String> {
        let mut schema = Schema::empty();
        let mut compiler = protox::Compiler::with_file_resolver(builtin_resolver());
        compiler.include_imports(true);
        for name in BUILTIN_FILES {
            compiler.open_file(name).map_err(|e| e.to_string())?;
        }
        // Added to the pool directly: `add_files` would look in the built-in schema being made.
        let mut files = compiler.file_descriptor_set().file;
        for bytes in [
            tonic_health::pb::FILE_DESCRIPTOR_SET,
            tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
            tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
        ] {
            let set = FileDescriptorSet::decode(bytes).map_err(|e| e.to_string())?;
            for file in set.file {
                if !files.iter().any(|f| f.name() == file.name()) {
                    files.push(file);
                }
            }
        }
        schema
            .pool
            .add_file_descriptor_protos(files)
            .map_err(|e| e.to_string())?;
        Ok(schema)
    }

    /// The descriptor pool.
    pub fn pool(&self) -> &DescriptorPool {
        &self.pool
    }

    /// Adds `--schema FILE`: a FileDescriptorSet (`.protoset`, `.binpb`) or a `.proto` source,
    /// told apart by content. A source is compiled with its own directory, `import_paths` and the
    /// built-in files to find its imports; a missing import names the file and the
    /// `--import-path` that would find it.
    pub fn add_file(&mut self, path: &Path, import_paths: &[PathBuf]) -> Result<(), String> {
        let bytes = std::fs::read(path).map_err(|e| {
            format!(
                "cannot read --schema {}: {}",
                path.display(),
                crate::error::plain(&e)
            )
        })?;
        let set = match as_descriptor_set(&bytes) {
            Some(set) => set,
            None => compile(path, import_paths)?,
        };
        self.add_offered_set(set)
    }

    /// Adds an encoded FileDescriptorSet whose services are offered (`rpc serve`'s own).
    pub fn add_encoded_set(&mut self, bytes: &[u8]) -> Result<(), String> {
        let set = FileDescriptorSet::decode(bytes).map_err(|e| e.to_string())?;
        self.add_offered_set(set)
    }

    fn add_offered_set(&mut self, set: FileDescriptorSet) -> Result<(), String> {
        for file in &set.file {
            let package = file.package();
            for service in &file.service {
                self.offer(qualified(package, service.name()));
            }
        }
        self.add_set(set)
    }

    /// Marks a service as offered by the server (listed by its reflection).
    pub fn offer(&mut self, service: String) {
        if !self.offered.contains(&service) {
            self.offered.push(service);
        }
    }

    /// Notes that an offered service cannot be described, and why.
    pub fn mark_broken(&mut self, service: &str, why: String) {
        if !self.broken.iter().any(|(name, _)| name == service) {
            self.broken.push((service.to_owned(), why));
        }
    }

    /// The offered services that could not be described, with why.
    pub fn broken(&self) -> &[(String, String)] {
        &self.broken
    }

    /// Whether the pool defines `symbol` (a message, enum or service by full name).
    pub fn defines(&self, symbol: &str) -> bool {
        defining_file(&self.pool, symbol).is_some()
    }

    /// Adds files as a server's reflection sent them (each encoded `FileDescriptorProto`).
    pub fn add_encoded_files(&mut self, files: &[Vec<u8>]) -> Result<(), String> {
        self.add_files(decode_files(files)?)
    }

    fn add_set(&mut self, set: FileDescriptorSet) -> Result<(), String> {
        self.add_files(set.file)
    }

    /// Adds files in any order, each after the files it imports. A file already there (by name)
    /// is skipped; an import neither given nor there is taken from the built-in files when they
    /// have it. A definition the pool already holds from another file is left out of the new
    /// file, which then imports that other file instead.
    pub fn add_files(&mut self, files: Vec<FileDescriptorProto>) -> Result<(), String> {
        let mut pending: Vec<FileDescriptorProto> = Vec::new();
        for file in files {
            let known = self.pool.get_file_by_name(file.name()).is_some()
                || pending.iter().any(|p| p.name() == file.name());
            if !known {
                pending.push(file);
            }
        }
        self.fill_imports_from_builtin(&mut pending);
        while !pending.is_empty() {
            let ready = pending.iter().position(|file| {
                file.dependency
                    .iter()
                    .all(|dep| self.pool.get_file_by_name(dep).is_some())
            });
            let Some(ready) = ready else {
                return Err(self.unmet_imports(&pending));
            };
            let file = without_known_definitions(&self.pool, pending.remove(ready));
            self.pool
                .add_file_descriptor_proto(file)
                .map_err(|e| format!("the schema does not hold together: {e}"))?;
        }
        Ok(())
    }

    /// Adds to `pending` the built-in files it imports (and theirs) that neither the pool nor
    /// `pending` has.
    fn fill_imports_from_builtin(&self, pending: &mut Vec<FileDescriptorProto>) {
        let Ok(builtin) = Schema::builtin() else {
            return;
        };
        let mut at = 0;
        while at < pending.len() {
            let wanted: Vec<String> = pending[at]
                .dependency
                .iter()
                .filter(|dep| {
                    self.pool.get_file_by_name(dep).is_none()
                        && !pending.iter().any(|p| p.name() == dep.as_str())
                })
                .cloned()
                .collect();
            for dep in wanted {
                if let Some(file) = builtin.pool.get_file_by_name(&dep) {
                    pending.push(file.file_descriptor_proto().clone());
                }
            }
            at += 1;
        }
    }

    /// The imports of `files` that are nowhere: not in the pool, not among `files`, not built in.
    pub fn missing_imports(&self, files: &[FileDescriptorProto]) -> Vec<String> {
        let builtin = Schema::builtin().ok();
        let mut missing: Vec<String> = Vec::new();
        for dep in files.iter().flat_map(|file| &file.dependency) {
            let somewhere = self.pool.get_file_by_name(dep).is_some()
                || files.iter().any(|f| f.name() == dep.as_str())
                || builtin
                    .as_ref()
                    .is_some_and(|b| b.pool.get_file_by_name(dep).is_some());
            if !somewhere && !missing.contains(dep) {
                missing.push(dep.clone());
            }
        }
        missing
    }

    fn unmet_imports(&self, pending: &[FileDescriptorProto]) -> String {
        for file in pending {
            for dep in &file.dependency {
                let pending_too = pending.iter().any(|p| p.name() == dep.as_str());
                if self.pool.get_file_by_name(dep).is_none() && !pending_too {
                    return format!("{} imports {dep}, which is not known", file.name());
                }
            }
        }
        "the files import one another in a circle".into()
    }

    /// Adds the built-in file that defines `symbol`, with its imports, when the pool lacks it;
    /// whether the pool defines `symbol` afterwards.
    pub fn add_builtin_symbol(&mut self, symbol: &str) -> bool {
        if self.defines(symbol) {
            return true;
        }
        let Ok(builtin) = Schema::builtin() else {
            return false;
        };
        let Some(file) = defining_file(&builtin.pool, symbol) else {
            return false;
        };
        let mut files = vec![file.file_descriptor_proto().clone()];
        files.extend(
            transitive_dependencies(&file)
                .into_iter()
                .map(|f| f.file_descriptor_proto().clone()),
        );
        self.add_files(files).is_ok() && self.defines(symbol)
    }

    /// The services the server offers, in the order they were listed.
    pub fn services(&self) -> impl Iterator<Item = ServiceDescriptor> + '_ {
        self.offered
            .iter()
            .filter_map(|name| self.pool.get_service_by_name(name))
    }

    /// The method `name`, in any form people type it; the error names the nearest methods.
    pub fn method(&self, name: &str) -> Result<MethodDescriptor, String> {
        let wanted = name.trim_start_matches('/');
        let (service, method) = match wanted.rsplit_once('/') {
            Some((service, method)) => (Some(service), method),
            None => match wanted.rsplit_once('.') {
                Some((service, method)) if self.find_service(service).is_some() => {
                    (Some(service), method)
                }
                _ => (None, wanted),
            },
        };
        let candidates: Vec<MethodDescriptor> = match service {
            Some(service) => self
                .find_service(service)
                .map(|s| s.methods().filter(|m| m.name() == method).collect())
                .unwrap_or_default(),
            None => self
                .services()
                .flat_map(|s| s.methods().collect::<Vec<_>>())
                .filter(|m| m.name() == method)
                .collect(),
        };
        match candidates.as_slice() {
            [one] => Ok(one.clone()),
            [] => match service.and_then(builtin_service) {
                // A service the server does not describe may be one rpc knows (health,
                // reflection): the built-in files fill what the server does not give.
                Some(known) => known
                    .methods()
                    .find(|m| m.name() == method)
                    .ok_or_else(|| self.not_found(name)),
                None => Err(self.not_found(name)),
            },
            many => Err(format!(
                "{name} is ambiguous: {} (name the service)",
                many.iter().map(method_name).collect::<Vec<_>>().join(", ")
            )),
        }
    }

    /// A service by full name, or by its short name when that is unique.
    fn find_service(&self, name: &str) -> Option<ServiceDescriptor> {
        if let Some(service) = self.pool.get_service_by_name(name) {
            return Some(service);
        }
        let mut short = self.pool.services().filter(|s| s.name() == name);
        match (short.next(), short.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }

    fn not_found(&self, name: &str) -> String {
        let all: Vec<String> = self
            .services()
            .flat_map(|s| s.methods().map(|m| method_name(&m)).collect::<Vec<_>>())
            .collect();
        let near = nearest(name.trim_start_matches('/'), &all);
        if near.is_empty() {
            format!("no method {name} on this server (`rpc list` shows the methods)")
        } else {
            format!(
                "no method {name} on this server; did you mean {}? (`rpc list` shows the methods)",
                near.join(" or ")
            )
        }
    }
}

/// A built-in service by full name (`grpc.health.v1.Health`…).
fn builtin_service(name: &str) -> Option<ServiceDescriptor> {
    Schema::builtin().ok()?.pool.get_service_by_name(name)
}

/// `pkg.Name`, or `Name` with no package.
pub fn qualified(package: &str, name: &str) -> String {
    match package {
        "" => name.to_owned(),
        package => format!("{package}.{name}"),
    }
}

/// Decodes files as a server's reflection sends them.
pub fn decode_files(files: &[Vec<u8>]) -> Result<Vec<FileDescriptorProto>, String> {
    files
        .iter()
        .map(|bytes| FileDescriptorProto::decode(bytes.as_slice()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("the server's reflection sent a file that is not a descriptor ({e})"))
}

/// The file of `pool` that defines `symbol` (a message, enum or service, by full name).
fn defining_file(pool: &DescriptorPool, symbol: &str) -> Option<FileDescriptor> {
    let symbol = symbol.trim_start_matches('.');
    pool.get_message_by_name(symbol)
        .map(|m| m.parent_file())
        .or_else(|| pool.get_enum_by_name(symbol).map(|e| e.parent_file()))
        .or_else(|| pool.get_service_by_name(symbol).map(|s| s.parent_file()))
}

/// Every file `file` imports, directly or not.
fn transitive_dependencies(file: &FileDescriptor) -> Vec<FileDescriptor> {
    let mut all: Vec<FileDescriptor> = Vec::new();
    let mut queue: Vec<FileDescriptor> = file.dependencies().collect();
    while let Some(next) = queue.pop() {
        if !all.iter().any(|f| f.name() == next.name()) {
            queue.extend(next.dependencies());
            all.push(next);
        }
    }
    all
}

/// `file` without the top-level definitions `pool` already holds, importing the files that hold
/// them instead, so the same symbol under another file name never breaks the schema.
fn without_known_definitions(
    pool: &DescriptorPool,
    mut file: FileDescriptorProto,
) -> FileDescriptorProto {
    let package = file.package().to_owned();
    let mut holders: Vec<String> = Vec::new();
    let mut known = |name: &str| match defining_file(pool, &qualified(&package, name)) {
        Some(holder) => {
            holders.push(holder.name().to_owned());
            true
        }
        None => false,
    };
    file.message_type.retain(|m| !known(m.name()));
    file.enum_type.retain(|e| !known(e.name()));
    file.service.retain(|s| !known(s.name()));
    for holder in holders {
        if holder != file.name() && !file.dependency.contains(&holder) {
            file.dependency.push(holder);
        }
    }
    file
}

/// `pkg.Service/Method` (`Service/Method` without a package): how `rpc list` shows a method.
pub fn method_name(method: &MethodDescriptor) -> String {
    format!("{}/{}", method.parent_service().full_name(), method.name())
}

/// The names closest to `wanted` (edit distance, case-insensitive; the method part counts too),
/// at most three, only those close enough to be a plausible typo.
pub(crate) fn nearest(wanted: &str, names: &[String]) -> Vec<String> {
    let wanted = wanted.to_ascii_lowercase();
    let mut scored: Vec<(usize, &String)> = names
        .iter()
        .map(|name| {
            let lower = name.to_ascii_lowercase();
            let method = lower.rsplit('/').next().unwrap_or(&lower).to_owned();
            (
                distance(&wanted, &lower).min(distance(&wanted, &method)),
                name,
            )
        })
        .filter(|(d, name)| *d <= (wanted.len() / 3).max(2) || shares_a_stem(&wanted, name))
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n.clone()).collect()
}

/// Whether `name` (or its method part) begins with the first 5 characters of `wanted`, or
/// `wanted` with all of a 5-or-more-character `name`: a plural or a stem typed for the word
/// (`childs` for `children`).
fn shares_a_stem(wanted: &str, name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let part = name.rsplit('/').next().unwrap_or(&name);
    let stem = |a: &str, b: &str| a.len() >= 5 && b.len() >= 5 && a[..5] == b[..5];
    wanted.is_ascii() && part.is_ascii() && stem(wanted, part)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// The bytes as a FileDescriptorSet, when they are one: it decodes, and every file has a name.
fn as_descriptor_set(bytes: &[u8]) -> Option<FileDescriptorSet> {
    let set = FileDescriptorSet::decode(bytes).ok()?;
    let named = !set.file.is_empty() && set.file.iter().all(|f| f.name().ends_with(".proto"));
    named.then_some(set)
}

/// The built-in sources, for imports of `google/rpc/*.proto` and the well-known types.
fn builtin_resolver() -> ChainFileResolver {
    let mut chain = ChainFileResolver::new();
    chain.add(Sources(&[
        ("google/rpc/status.proto", RPC_STATUS),
        ("google/rpc/error_details.proto", RPC_ERROR_DETAILS),
    ]));
    chain.add(GoogleFileResolver::new());
    chain
}

/// `.proto` sources held in memory, by file name, for protox.
pub struct Sources(pub &'static [(&'static str, &'static str)]);

impl FileResolver for Sources {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.0.iter().find(|(file, _)| *file == name) {
            Some((_, source)) => File::from_source(name, source),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

/// Compiles in-memory `sources`, and the built-in files named in `also` (`google/rpc/…`), into
/// one encoded FileDescriptorSet with every import.
pub fn compile_sources(
    sources: &'static [(&'static str, &'static str)],
    also: &[&str],
) -> Result<Vec<u8>, String> {
    let mut chain = ChainFileResolver::new();
    chain.add(Sources(sources));
    chain.add(builtin_resolver());
    let mut compiler = protox::Compiler::with_file_resolver(chain);
    compiler.include_imports(true);
    compiler
        .open_files(
            sources
                .iter()
                .map(|(name, _)| *name)
                .chain(also.iter().copied()),
        )
        .map_err(|e| e.to_string())?;
    Ok(compiler.encode_file_descriptor_set())
}

/// Compiles `path` with its directory and `import_paths` as include directories.
fn compile(path: &Path, import_paths: &[PathBuf]) -> Result<FileDescriptorSet, String> {
    let own_dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let mut chain = ChainFileResolver::new();
    for dir in import_paths.iter().chain(std::iter::once(&own_dir)) {
        chain.add(IncludeFileResolver::new(dir.clone()));
    }
    chain.add(builtin_resolver());
    let mut compiler = protox::Compiler::with_file_resolver(chain);
    compiler.include_imports(true);
    let name = path.file_name().map(PathBuf::from).unwrap_or_default();
    let opened = match import_paths.iter().find(|dir| path.starts_with(dir)) {
        Some(dir) => compiler.open_file(path.strip_prefix(dir).unwrap_or(path)),
        None => compiler.open_file(&name),
    };
    opened.map_err(|e| compile_error(&e, path, import_paths))?;
    Ok(compiler.file_descriptor_set())
}

/// The first import of the source at `path` that no include directory (nor the built-in files)
/// holds.
fn missing_import(path: &Path, import_paths: &[PathBuf]) -> Option<String> {
    let source = std::fs::read_to_string(path).ok()?;
    let own_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let builtin = builtin_resolver();
    imports_of(&source).into_iter().find(|name| {
        let on_disk = import_paths
            .iter()
            .chain(std::iter::once(&own_dir))
            .any(|dir| dir.join(name).is_file());
        !on_disk && builtin.open_file(name).is_err()
    })
}

/// The files a `.proto` source imports (`import "x.proto";`, `import public "y.proto";`).
fn imports_of(source: &str) -> Vec<String> {
    source
        .split(';')
        .filter_map(|statement| {
            let statement = statement.trim_start();
            let rest = statement.strip_prefix("import")?;
            let quoted = rest
                .trim_start()
                .trim_start_matches("public")
                .trim_start_matches("weak");
            let quoted = quoted.trim().trim_matches('"').trim_matches('\'');
            (!quoted.is_empty() && !quoted.contains(char::is_whitespace)).then(|| quoted.to_owned())
        })
        .collect()
}

/// A compile error in words; a missing import names the directory that would find it.
fn compile_error(e: &protox::Error, path: &Path, import_paths: &[PathBuf]) -> String {
    let shown = path.display();
    if !e.is_file_not_found() {
        return format!("--schema {shown} does not compile: {e}");
    }
    let Some(missing) = missing_import(path, import_paths) else {
        return format!("--schema {shown}: {e}");
    };
    let missing = missing.as_str();
    let searched: Vec<String> = import_paths
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let hint = match find_import(missing, path) {
        Some(dir) => format!("add --import-path {}", dir.display()),
        None => "add --import-path DIR for the directory DIR/".to_owned() + missing + " is in",
    };
    let searched = if searched.is_empty() {
        String::new()
    } else {
        format!(" (searched {})", searched.join(", "))
    };
    format!("--schema {shown} imports {missing}, which is not found{searched}: {hint}")
}

/// A directory near `path` under which `missing` exists: the file's own directory, its
/// ancestors, their immediate subdirectories (`../shared`, `../third_party`), the current one.
fn find_import(missing: &str, path: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(path).ok()?;
    let mut near: Vec<PathBuf> = Vec::new();
    for ancestor in start.ancestors().skip(1).take(4) {
        near.push(ancestor.to_path_buf());
        let children = std::fs::read_dir(ancestor).into_iter().flatten().flatten();
        near.extend(children.take(200).map(|entry| entry.path()));
    }
    near.extend(std::env::current_dir().ok());
    near.into_iter().find(|dir| dir.join(missing).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../server/grpc/routetable.proto");

    fn seed_schema() -> Schema {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("routetable.proto");
        std::fs::write(&path, SEED).unwrap();
        let mut schema = Schema::builtin().unwrap();
        schema.add_file(&path, &[]).unwrap();
        schema
    }

    #[test]
    fn builtin_knows_health_reflection_and_rpc_status() {
        let schema = Schema::builtin().unwrap();
        for name in [
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection",
        ] {
            assert!(schema.pool().get_service_by_name(name).is_some(), "{name}");
        }
        for name in [
            "google.rpc.Status",
            "google.rpc.ErrorInfo",
            "google.protobuf.Timestamp",
        ] {
            assert!(schema.pool().get_message_by_name(name).is_some(), "{name}");
        }
    }

    #[test]
    fn methods_resolve_in_every_form_package_less_too() {
        let schema = seed_schema();
        for form in [
            "Router/GetRoute",
            "/Router/GetRoute",
            "Router.GetRoute",
            "GetRoute",
        ] {
            assert_eq!(
                method_name(&schema.method(form).unwrap()),
                "Router/GetRoute"
            );
        }
        let health = schema.method("grpc.health.v1.Health/Check").unwrap();
        assert_eq!(method_name(&health), "grpc.health.v1.Health/Check");
        assert_eq!(
            method_name(&schema.method("Health/Check").unwrap()),
            "grpc.health.v1.Health/Check"
        );
        let typo = schema.method("Router/GetRoutes").unwrap_err();
        assert!(typo.contains("did you mean Router/GetRoute"), "{typo}");
    }

    #[test]
    fn protosets_are_told_apart_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("routetable.proto");
        std::fs::write(&source, SEED).unwrap();
        let set = compile(&source, &[]).unwrap();
        let protoset = dir.path().join("seed.bin");
        std::fs::write(&protoset, set.encode_to_vec()).unwrap();
        let mut schema = Schema::builtin().unwrap();
        schema.add_file(&protoset, &[]).unwrap();
        assert!(schema.method("ListRoutes").is_ok());
    }

    #[test]
    fn a_missing_import_names_the_import_path_that_finds_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("shared/types")).unwrap();
        std::fs::write(
            dir.path().join("shared/types/point.proto"),
            "syntax = \"proto3\"; message Point { int32 x = 1; }",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("api")).unwrap();
        let api = dir.path().join("api/svc.proto");
        std::fs::write(
            &api,
            "syntax = \"proto3\"; import \"types/point.proto\"; service S { rpc M(Point) returns (Point); }",
        )
        .unwrap();
        let mut schema = Schema::builtin().unwrap();
        let error = schema.add_file(&api, &[]).unwrap_err();
        assert!(error.contains("imports types/point.proto"), "{error}");
        let shared = std::fs::canonicalize(dir.path().join("shared")).unwrap();
        assert!(
            error.contains(&format!("--import-path {}", shared.display())),
            "{error}"
        );
        schema.add_file(&api, &[dir.path().join("shared")]).unwrap();
        assert!(schema.method("S/M").is_ok());
    }
}
