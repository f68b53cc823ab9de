package activities_test

import (
	"testing"

	"github.com/yiyun-console/console/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
